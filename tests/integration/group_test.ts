import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ConsumerGroup,
  dial,
  GenerationEndedError,
  GroupClosedError,
  LastOffset,
  mergeIterators,
  type Message,
  Reader,
  type ReaderConfig,
  Writer,
} from "../../mod.ts";
import { CreatePartitions } from "../../src/protocol/generated/index.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { FaultProxy } from "../_fault_proxy.ts";
import { killable } from "../_killable.ts";

const dec = new TextDecoder();
const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const uniqueTopic = (name: string) =>
  `kafkit-group-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createTopic(topic: string, partitions: number): Promise<void> {
  await using conn = await dial(brokers()[0]);
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

async function produce(topic: string, values: string[]): Promise<void> {
  await using w = new Writer({ brokers: brokers(), topic });
  await w.writeMessages(values.map((value) => ({ key: value, value })));
}

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Reads in the background, recording every message, until stopped. */
function consume(reader: Reader, seen: Message[]): { stop: () => Promise<void> } {
  const stop = new AbortController();
  const done = (async () => {
    while (!stop.signal.aborted) {
      try {
        seen.push(await reader.readMessage({ signal: stop.signal }));
      } catch {
        if (stop.signal.aborted) return;
        await sleep(50);
      }
    }
  })();
  return {
    stop: async () => {
      stop.abort();
      await done;
    },
  };
}

/** How long `closing` took to settle, in ms; Infinity when it had not after `bound` ms. */
async function settleTime(closing: Promise<void>, bound = 5_000): Promise<number> {
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<number>((resolve) => timer = setTimeout(resolve, bound, Infinity));
  try {
    return await Promise.race([closing.then(() => Date.now() - started), late]);
  } finally {
    clearTimeout(timer);
  }
}

const owners = (readers: Reader[]) =>
  readers.flatMap((r, i) => r.assignments.map((p) => `${p.partition}:${i}`)).sort();

describe(`consumer groups (${RUNTIME})`, () => {
  for (const groupProtocol of ["classic", "consumer"] as const) {
    test(`${groupProtocol} protocol: three readers share six partitions; one closes, one crashes; none lost`, async () => {
      const topic = uniqueTopic(`three-${groupProtocol}`);
      const groupId = `${topic}-g`;
      await createTopic(topic, 6);
      const base: ReaderConfig = {
        brokers: brokers(),
        groupId,
        groupProtocol,
        topic,
        heartbeatInterval: 300,
        sessionTimeout: 6_000,
        rebalanceTimeout: 10_000,
        maxWait: 200,
      };
      const crash = killable();
      const readers = [
        new Reader(base),
        new Reader(base),
        new Reader({ ...base, connect: crash.connect }),
      ];
      const seen: Message[][] = [[], [], []];
      const loops = readers.map((r, i) => consume(r, seen[i]));
      try {
        await until("each reader to own two partitions", () => {
          const o = owners(readers);
          return readers.every((r) => r.assignments.length === 2) &&
            new Set(o.map((x) => x.split(":")[0])).size === 6;
        });
        const first = Array.from({ length: 300 }, (_, i) => `a${i}`);
        await produce(topic, first);
        await until("the first batch to be read", () => seen.flat().length >= 300);

        // One leaves cleanly, one vanishes without LeaveGroup while messages keep coming.
        await loops[0].stop();
        await readers[0].close();
        crash.kill();
        const second = Array.from({ length: 300 }, (_, i) => `b${i}`);
        await produce(topic, second);
        await until(
          "the survivor to own all six partitions",
          () => readers[1].assignments.length === 6,
        );
        await until(
          "every message to be read",
          () => new Set(seen.flat().map((m) => dec.decode(m.value!))).size === 600,
        );
        const values = new Set(seen.flat().map((m) => dec.decode(m.value!)));
        for (const v of [...first, ...second]) assert.ok(values.has(v), `${v} was never read`);
        // Each partition's messages were read in order by whoever owned it.
        await loops[1].stop();
        await readers[1].close();
        await loops[2].stop();

        // Commits resume where they left: a new member sees only what comes next.
        await using late = new Reader(base);
        await produce(topic, ["c0"]);
        const m = await late.readMessage();
        assert.equal(dec.decode(m.value!), "c0");
      } finally {
        await Promise.all(loops.map((l) => l.stop()));
        await Promise.all(readers.map((r) => r.close().catch(() => {})));
      }
    });
  }

  test("groupTopics: one member reads several topics", async () => {
    const a = uniqueTopic("topics-a");
    const b = uniqueTopic("topics-b");
    await createTopic(a, 2);
    await createTopic(b, 1);
    await produce(a, ["a1", "a2"]);
    await produce(b, ["b1"]);
    await using r = new Reader({
      brokers: brokers(),
      groupId: `${a}-g`,
      groupTopics: [a, b],
      heartbeatInterval: 300,
    });
    const got: string[] = [];
    while (got.length < 3) {
      const m = await r.readMessage();
      got.push(`${m.topic === a ? "a" : "b"}:${dec.decode(m.value!)}`);
    }
    assert.deepEqual(got.sort(), ["a:a1", "a:a2", "b:b1"]);
    assert.equal(r.assignments.length, 3);
    assert.equal(r.stats().topic, `${a},${b}`);
  });

  test("onAssigned may move the start; onRevoked sees partitions before they go", async () => {
    const topic = uniqueTopic("callbacks");
    const groupId = `${topic}-g`;
    await createTopic(topic, 2);
    await produce(topic, ["old0", "old1", "old2", "old3"]);
    const revoked: number[] = [];
    const r = new Reader({
      brokers: brokers(),
      groupId,
      topic,
      heartbeatInterval: 300,
      onAssigned: (ps) => {
        for (const p of ps) p.offset = LastOffset;
      },
      onRevoked: (ps) => {
        revoked.push(...ps.map((p) => p.partition));
      },
    });
    try {
      await until("assignment", () => r.assignments.length === 2);
      const next = r.readMessage();
      await sleep(500);
      await produce(topic, ["new"]);
      assert.equal(dec.decode((await next).value!), "new");
    } finally {
      await r.close();
    }
    assert.deepEqual(revoked.sort(), [0, 1]);
  });

  test("watchPartitionChanges: new partitions are assigned and read", async () => {
    const topic = uniqueTopic("watch");
    await createTopic(topic, 2);
    const logs: string[] = [];
    const r = new Reader({
      brokers: brokers(),
      groupId: `${topic}-g`,
      topic,
      heartbeatInterval: 200,
      watchPartitionChanges: true,
      partitionWatchInterval: 300,
      logger: (m) => logs.push(m),
    });
    try {
      await until("assignment", () => r.assignments.length === 2);
      {
        await using conn = await dial(brokers()[0]);
        const res = await conn.connection.request(CreatePartitions, {
          topics: [{ name: topic, count: 4, assignments: null }],
          timeoutMs: 10_000,
        });
        assert.equal(res.results[0].errorCode, 0);
      }
      await until("the new partitions", () => r.assignments.length === 4);
      assert.ok(logs.some((l) => l.includes("now has 4 partitions")), logs.join("\n"));
      await using w = new Writer({ brokers: brokers(), topic });
      await w.writeMessages([{ value: "p3", partition: 3 }]);
      const m = await r.readMessage();
      assert.equal(m.partition, 3);
    } finally {
      await r.close();
    }
  });

  test("static membership: a restart within the session keeps the partitions", async () => {
    const topic = uniqueTopic("static");
    const groupId = `${topic}-g`;
    await createTopic(topic, 4);
    const config: ReaderConfig = {
      brokers: brokers(),
      groupId,
      topic,
      groupInstanceId: "instance-a",
      heartbeatInterval: 300,
      sessionTimeout: 10_000,
    };
    const other = new Reader({ ...config, groupInstanceId: "instance-b" });
    try {
      let a = new Reader(config);
      await until("a split", () => a.assignments.length === 2 && other.assignments.length === 2);
      const before = a.assignments.map((p) => p.partition).sort();
      await a.close();
      a = new Reader(config);
      await until("the same partitions back", () => a.assignments.length === 2);
      assert.deepEqual(a.assignments.map((p) => p.partition).sort(), before);
      assert.equal(other.assignments.length, 2);
      await a.close();
    } finally {
      await other.close();
    }
  });

  test("kafka-go ConsumerGroup/Generation: start, commitOffsets, next generation", async () => {
    const topic = uniqueTopic("generation");
    const id = `${topic}-g`;
    await createTopic(topic, 2);
    await using group = new ConsumerGroup({
      id,
      brokers: brokers(),
      topics: [topic],
      heartbeatInterval: 300,
    });
    const gen = await group.next();
    assert.equal(gen.groupId, id);
    const parts = gen.assignments.get(topic)!;
    assert.deepEqual(parts.map((p) => p.id).sort(), [0, 1]);
    let stopped = 0;
    for (const p of parts) {
      gen.start(async (signal) => {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
        stopped++;
      });
      assert.ok(p.offset < 0, "no commits yet: the start offset");
    }
    await gen.commitOffsets(new Map([[topic, new Map([[0, 5], [1, 7]])]]));

    // A second member forces a rebalance: the first generation's work ends first.
    await using other = new ConsumerGroup({
      id,
      brokers: brokers(),
      topics: [topic],
      heartbeatInterval: 300,
    });
    const [mine, theirs] = await Promise.all([group.next(), other.next()]);
    assert.equal(stopped, 2);
    assert.ok(gen.signal.aborted);
    const all = [...mine.assignments.get(topic) ?? [], ...theirs.assignments.get(topic) ?? []];
    assert.deepEqual(
      all.map((p) => `${p.id}@${p.offset}`).sort(),
      ["0@5", "1@7"],
    );
    // An ended generation can no longer commit over the new owners' offsets.
    await assert.rejects(
      gen.commitOffsets(new Map([[topic, new Map([[0, 1]])]])),
      GenerationEndedError,
    );
  });

  test("consumer protocol ConsumerGroup: a rebalance that only takes partitions away still starts a generation", async () => {
    const topic = uniqueTopic("generation-848");
    const id = `${topic}-g`;
    await createTopic(topic, 4);
    const config = {
      id,
      brokers: brokers(),
      topics: [topic],
      groupProtocol: "consumer" as const,
    };
    await using a = new ConsumerGroup(config);
    const first = await a.next();
    assert.equal(first.assignments.get(topic)?.length, 4);
    await using b = new ConsumerGroup(config);
    const [later, theirs] = await Promise.all([a.next(), b.next()]);
    assert.ok(first.signal.aborted);
    assert.ok((later.assignments.get(topic)?.length ?? 0) < 4);
    assert.ok((theirs.assignments.get(topic)?.length ?? 0) <= 4);
  });

  test("ConsumerGroup.close({ signal }) settles promptly mid-rebalance", async () => {
    const topic = uniqueTopic("close-rebalance");
    const id = `${topic}-g`;
    await createTopic(topic, 2);
    // Only the signal can end these closes in time.
    const config = { id, brokers: brokers(), topics: [topic], heartbeatInterval: 300 };
    const a = new ConsumerGroup({ ...config, closeTimeout: 60_000 });
    let b: ConsumerGroup | undefined;
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    try {
      const gen = await a.next();
      gen.start(() => held); // work that ignores its signal holds a's side of the rebalance
      b = new ConsumerGroup({ ...config, closeTimeout: 60_000 });
      const waiting = b.next().catch((e) => e);
      await until("the rebalance to reach a", () => gen.signal.aborted);
      // b's JoinGroup is held by the broker until a rejoins, which it cannot yet.
      const aClosed = await settleTime(a.close({ signal: AbortSignal.timeout(200) }));
      assert.ok(aClosed < 200 + 1_000, `a's close() took ${aClosed} ms`);
      await assert.rejects(a.next(), GroupClosedError);
      const bClosed = await settleTime(b.close({ signal: AbortSignal.abort() }));
      assert.ok(bClosed < 1_000, `b's close() took ${bClosed} ms`);
      assert.ok((await waiting) instanceof GroupClosedError, "b's waiting next() ended");
    } finally {
      release();
      await Promise.all([a.close(), b?.close()]);
    }
  });

  test("ConsumerGroup.close() settles promptly once the broker went silent: signal, closeTimeout", async () => {
    const topic = uniqueTopic("close-silent");
    await createTopic(topic, 1);
    for (const bound of ["signal", "closeTimeout"] as const) {
      const proxy = new FaultProxy();
      const group = new ConsumerGroup({
        id: `${topic}-${bound}`,
        brokers: brokers(),
        topics: [topic],
        connect: proxy.connect,
        heartbeatInterval: 300,
        requestTimeout: 30_000,
        closeTimeout: bound === "signal" ? 60_000 : 500,
      });
      try {
        const gen = await group.next();
        // The work commits as its generation ends: a commit the silent broker never answers.
        gen.start(async (signal) => {
          await new Promise((resolve) => signal.addEventListener("abort", resolve));
          await gen.commitOffsets(new Map([[topic, new Map([[0, 1]])]]));
        });
        assert.ok(proxy.blackholeAll() >= 1);
        const ms = await settleTime(
          group.close(bound === "signal" ? { signal: AbortSignal.timeout(200) } : {}),
        );
        const [low, high] = bound === "signal" ? [150, 200 + 1_000] : [400, 500 + 1_000];
        assert.ok(ms >= low && ms < high, `close() with its ${bound} took ${ms} ms`);
      } finally {
        await group.close();
        await proxy.close();
      }
    }
  });

  test("a partition with a backlog does not starve another on the same broker", async () => {
    const topic = uniqueTopic("starve");
    await createTopic(topic, 2);
    {
      await using w = new Writer({ brokers: brokers(), topic });
      await w.writeMessages(
        Array.from({ length: 3_000 }, (_, i) => ({ value: `big-${i}`.padEnd(200), partition: 0 })),
      );
      await w.writeMessages([{ value: "small", partition: 1 }]);
    }
    await using r = new Reader({
      brokers: brokers(),
      groupId: `${topic}-g`,
      topic,
      maxBytes: 50_000,
      queueCapacity: 100,
    });
    let at = -1;
    for (let i = 0; i < 3_001 && at < 0; i++) {
      const m = await r.fetchMessage();
      if (m.partition === 1) at = i;
    }
    assert.ok(at >= 0 && at < 1_000, `partition 1's message came ${at}th`);
  });

  test("mergeIterators of group readers: the message the loop broke on is read again", async () => {
    const topic = uniqueTopic("merge-group");
    await createTopic(topic, 1);
    await produce(topic, ["m0", "m1", "m2", "m3"]);
    const config = { brokers: brokers(), groupId: `${topic}-g`, topic, maxWait: 100 };
    {
      await using r = new Reader(config);
      let n = 0;
      for await (const m of mergeIterators(r)) {
        assert.equal(dec.decode(m.value!), `m${n}`);
        if (++n === 2) break; // the body is done with m0, and fails on m1
      }
    }
    // m0 was committed when the loop asked for m1; m1 was not.
    await using again = new Reader(config);
    assert.equal(dec.decode((await again.readMessage()).value!), "m1");
  });
});
