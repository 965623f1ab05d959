// kafka-go's README and tutorial, consumer side, as a migrating user runs them: a group
// consumer started before its topic exists, a partition reader set past the end, and two
// cooperative readers whose fetching must start after every assignment (issue 20: 1, 3, 8).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CooperativeStickyGroupBalancer,
  dial,
  KafkaError,
  type Message,
  Reader,
  Writer,
} from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const dec = new TextDecoder();
const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const uniqueTopic = (name: string) =>
  `kafkit-seedsc-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads `n` messages, or fails after `ms`. */
async function readN(r: Reader, n: number, ms = 30_000): Promise<Message[]> {
  const signal = AbortSignal.timeout(ms);
  const out: Message[] = [];
  try {
    while (out.length < n) out.push(await r.readMessage({ signal }));
  } catch (e) {
    throw new Error(`read ${out.length} of ${n} messages: ${e}`);
  }
  return out;
}

/** Waits (up to 10 s) until the group reader `r` owns `n` partitions. */
async function owning(r: Reader, n: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (r.assignments.length !== n) {
    if (Date.now() > until) assert.fail(`owns ${r.assignments.length} partitions, not ${n}`);
    await sleep(50);
  }
}

describe(`kafka-go seeds, consumer side (${RUNTIME})`, () => {
  for (const groupProtocol of ["classic", "consumer"] as const) {
    test(`tutorial (${groupProtocol}): a group reader started before its topic exists reads every message`, async () => {
      const topic = uniqueTopic(`tutorial-${groupProtocol}`);
      const reported: unknown[] = [];
      const logged: string[] = [];
      await using r = new Reader({
        brokers: brokers(),
        topic,
        groupId: `${topic}-g`,
        groupProtocol,
        heartbeatInterval: 300,
        maxWait: 200,
        onError: (e) => reported.push(e),
        errorLogger: (m) => logged.push(m),
      });
      // The consumer is in the group (owning nothing) before the producer starts.
      await sleep(1_000);
      await using w = new Writer({ brokers: brokers(), topic, allowAutoTopicCreation: true });
      const sent: string[] = [];
      for (let i = 0; i < 8; i++) {
        sent.push(`this is message${i}`);
        await w.writeMessages([{ key: String(i), value: sent[i] }]);
        await sleep(50);
      }
      const got = await readN(r, 8, 20_000);
      assert.deepEqual(got.map((m) => dec.decode(m.value!)), sent);
      // The member said the topic was missing, rather than waiting silently.
      assert.ok(
        logged.some((m) => m.includes(`subscribed topic ${topic} is unavailable`)),
        logged.join("\n"),
      );
      assert.ok(reported.some((e) => e instanceof KafkaError), String(reported));
    });
  }

  test("setOffset past the end of a partition waits there (kafka-go), not replaying from 0", async () => {
    const topic = uniqueTopic("past-end");
    {
      await using conn = await dial(brokers()[0]);
      await conn.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
    }
    await using w = new Writer({ brokers: brokers(), topic });
    await w.writeMessages(["a", "b", "c"].map((value) => ({ value })));
    const logged: string[] = [];
    await using r = new Reader({
      brokers: brokers(),
      topic,
      maxWait: 200,
      logger: (m) => logged.push(m),
    });
    r.setOffset(42);
    await assert.rejects(
      r.readMessage({ signal: AbortSignal.timeout(1_500) }),
      (e: unknown) => e instanceof Error && /abort|timeout/i.test(`${e.name} ${e.message}`),
      "nothing to read at 42 yet, and offsets 0-2 are not replayed",
    );
    assert.equal(r.offset, 42);
    assert.ok(
      logged.some((m) => m.includes("offset 42") && m.includes("past the end")),
      logged.join("\n"),
    );
    // Offsets 3..42 arrive: the reader goes on exactly at 42.
    await w.writeMessages(Array.from({ length: 40 }, (_, i) => ({ value: `m${i + 3}` })));
    const m = await r.readMessage({ signal: AbortSignal.timeout(10_000) });
    assert.equal(m.offset, 42);
    assert.equal(dec.decode(m.value!), "m42");
  });

  // Even rounds: both join together (one generation, 3 partitions each). Odd rounds: the
  // second joins once the first owns all 6, so the first gives 3 up and the follow-up
  // rebalance hands them over (KIP-429): fetching must start after either kind.
  test("cooperative-sticky: two readers, joining together or one after the other, read every message, 6 rounds", async () => {
    for (let round = 0; round < 6; round++) {
      const topic = uniqueTopic(`coop-${round}`);
      {
        await using conn = await dial(brokers()[0]);
        await conn.createTopics([{ topic, numPartitions: 6, replicationFactor: 1 }]);
      }
      const config = {
        brokers: brokers(),
        topic,
        groupId: `${topic}-g`,
        groupBalancers: [new CooperativeStickyGroupBalancer()],
        heartbeatInterval: 300,
        maxWait: 200,
      };
      await using a = new Reader(config);
      if (round % 2 === 1) await owning(a, 6);
      await using b = new Reader(config);
      await using w = new Writer({ brokers: brokers(), topic, batchTimeout: 5 });
      const seen = new Set<string>();
      const done = new AbortController();
      const readers = [a, b].map(async (r) => {
        const signal = AbortSignal.any([done.signal, AbortSignal.timeout(20_000)]);
        while (seen.size < 60) {
          try {
            seen.add(dec.decode((await r.readMessage({ signal })).value!));
          } catch (e) {
            if (done.signal.aborted) return;
            if (signal.aborted) throw new Error(`round ${round}: stalled at ${seen.size} of 60`);
            // A commit refused while the group rebalances: the message is read again.
            assert.ok(e instanceof KafkaError, String(e));
            await sleep(50);
          }
        }
        done.abort();
      });
      // Written while the two join and after: fetching must start whenever the group settles.
      for (let i = 0; i < 60; i += 10) {
        await w.writeMessages(
          Array.from({ length: 10 }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}` })),
        );
        await sleep(100);
      }
      await Promise.all(readers);
      assert.equal(seen.size, 60, `round ${round}`);
      // The first reader may have read everything before the hand-over completed.
      if (round % 2 === 1) await owning(b, 3);
      assert.equal(a.assignments.length + b.assignments.length, 6, `round ${round}`);
    }
  });
});
