// The Writer against the real broker when answers stop coming (a stalled broker: every
// connection's incoming bytes are held back, then released), with callers offering data all
// the time: what it holds stays within maxBufferedBytes (its own count, and the process's
// RSS within the budget plus a constant), a call blocks and then rejects after maxBlock, and
// once the answers flow again everything accepted is in the log exactly once. Also: a topic
// that never appears fails its messages after deliveryTimeout, with the broker's error.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import {
  BufferFullError,
  type Connect,
  DeliveryTimeoutError,
  dial,
  KafkaError,
  type MessageInput,
  WriteErrors,
  Writer,
} from "../../mod.ts";
import { detectConnect } from "../../src/transport/socket.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { readWholeTopic } from "../_read_topic.ts";

const dec = new TextDecoder();
const address = () => kafkaEnv("KAFKA_BROKERS").split(",")[0];
const uniqueTopic = (name: string) =>
  `kafkit-writer-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

async function createTopic(topic: string, partitions = 1): Promise<void> {
  await using conn = await dial(address());
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

/** A socket factory whose sockets stop delivering what the broker sends while stalled. */
function stallable(): { connect: Connect; stall(): void; resume(): void } {
  let stalled: Promise<void> | undefined;
  let resume = () => {};
  return {
    connect: async (options) => {
      const socket = await (await detectConnect())(options);
      return {
        write: (data) => socket.write(data),
        close: () => socket.close(),
        read: async () => {
          const chunk = await socket.read();
          while (stalled) await stalled;
          return chunk;
        },
      };
    },
    stall() {
      stalled = new Promise((resolve) => (resume = resolve));
    },
    resume() {
      stalled = undefined;
      resume();
    },
  };
}

/** The values in the topic, and how many times each. */
async function logged(topic: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await readWholeTopic(address(), topic)) {
    const v = dec.decode(m.value!).slice(0, 12);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

describe(`Writer against a stalled broker (${RUNTIME})`, () => {
  test("callers offering data through a stall: the buffer stays within maxBufferedBytes, calls block then reject after maxBlock, nothing lost or doubled after the resume", async () => {
    const topic = uniqueTopic("stall");
    await createTopic(topic, 3);
    const link = stallable();
    const limit = MiB;
    const w = new Writer({
      brokers: address(),
      topic,
      connect: link.connect,
      async: true,
      batchBytes: 64 * 1024,
      maxBufferedBytes: limit,
      maxBlock: 300,
    });
    let next = 0;
    const accepted: string[] = [];
    const refusals: { error: unknown; waited: number }[] = [];
    let peak = 0;
    const offer = async () => {
      const call: MessageInput[] = Array.from({ length: 10 }, () => ({
        value: `${String(next++).padStart(12, "0")}${"x".repeat(1000)}`,
      }));
      const started = Date.now();
      try {
        await w.writeMessages(call);
        accepted.push(...call.map((m) => String(m.value).slice(0, 12)));
      } catch (error) {
        refusals.push({ error, waited: Date.now() - started });
      }
      peak = Math.max(peak, w.stats().bufferedBytes);
    };
    await offer(); // connections and metadata in place
    await w.flush();
    link.stall();
    const stallEnds = Date.now() + 2_000;
    while (Date.now() < stallEnds) await offer();
    assert.ok(peak <= limit, `${peak} bytes buffered`);
    assert.ok(peak > limit / 2, `${peak} bytes buffered: the budget filled`);
    assert.ok(refusals.length >= 3, `${refusals.length} calls refused`);
    for (const { error, waited } of refusals) {
      assert.ok(error instanceof BufferFullError, `got ${error}`);
      assert.match(error.message, /maxBlock \(300 ms\)/);
      assert.ok(waited >= 290, `refused after ${waited} ms`);
    }
    link.resume();
    for (let i = 0; i < 50; i++) await offer();
    await w.close();
    assert.equal(w.stats().bufferedBytes, 0);
    const counts = await logged(topic);
    assert.deepEqual([...counts.keys()].sort(), [...accepted].sort(), "exactly what was accepted");
    assert.ok([...counts.values()].every((n) => n === 1), "each once");
  });

  test("RSS through a stall stays within the budget plus a constant while callers offer up to 40 MB/s", async () => {
    const topic = uniqueTopic("stall-rss");
    await createTopic(topic);
    const link = stallable();
    const budget = 8 * MiB;
    const w = new Writer({
      brokers: address(),
      topic,
      connect: link.connect,
      async: true,
      batchBytes: 256 * 1024,
      maxBufferedBytes: budget,
    });
    const value = 16 * 1024;
    let next = 0;
    let accepted = 0;
    /** One call of 16 fresh 16 KiB values; a refused call is offered again, as a producer would. */
    const offer = async () => {
      const call: MessageInput[] = Array.from({ length: 16 }, () => {
        const v = new Uint8Array(value).fill(97);
        v.set(new TextEncoder().encode(String(next++).padStart(12, "0")));
        return { value: v };
      });
      for (;;) {
        try {
          await w.writeMessages(call);
          accepted += call.length;
          return;
        } catch (e) {
          assert.ok(e instanceof BufferFullError, `got ${e}`);
        }
      }
    };
    for (let i = 0; i < 20; i++) await offer();
    await w.flush();
    const before = process.memoryUsage().rss;
    link.stall();
    // 40 MB/s offered for 3 s: 120 MB if nothing held it back.
    const ends = Date.now() + 3_000;
    let offered = 0;
    let peakRss = before;
    const rate = 40e6 / 1000; // bytes per ms
    const start = Date.now();
    let pending: Promise<void> | undefined;
    while (Date.now() < ends) {
      if (!pending && offered < (Date.now() - start) * rate) {
        pending = offer().finally(() => (pending = undefined));
        offered += 16 * value;
      }
      await sleep(5);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      assert.ok(w.stats().bufferedBytes <= budget);
    }
    const grown = peakRss - before;
    link.resume();
    await pending;
    await w.close();
    console.log(
      `${RUNTIME}: RSS grew ${(grown / MiB).toFixed(1)} MiB during the stall (budget ${
        budget / MiB
      } MiB); ${(offered / 1e6).toFixed(0)} MB offered`,
    );
    // Held: the records plus the encoded batches in flight (at most twice the budget) and
    // the runtime's own churn.
    assert.ok(grown < 2 * budget + 48 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB`);
    const counts = await logged(topic);
    assert.equal(counts.size, accepted, "every accepted message written");
    assert.ok([...counts.values()].every((n) => n === 1), "each once");
  });

  test("a topic that never appears fails its messages after deliveryTimeout, the broker's error as cause", async () => {
    const topic = uniqueTopic("never-created");
    await using w = new Writer({
      brokers: address(),
      topic,
      // The broker would create it otherwise (auto.create.topics.enable, the default).
      allowAutoTopicCreation: false,
      deliveryTimeout: 1_500,
      writeTimeout: 1_000,
    });
    const started = Date.now();
    const err = await w.writeMessages([{ value: "a" }, { value: "b" }]).then(
      () => undefined,
      (e) => e,
    );
    const took = Date.now() - started;
    assert.ok(err instanceof WriteErrors, `got ${err}`);
    assert.equal(err.count, 2);
    for (const f of err.failures) {
      assert.ok(f.error instanceof DeliveryTimeoutError, `got ${f.error}`);
      const cause = f.error.cause;
      assert.ok(cause instanceof KafkaError && cause.errorName === "UNKNOWN_TOPIC_OR_PARTITION");
    }
    assert.ok(took >= 1_000 && took < 5_000, `failed after ${took} ms`);
  });
});
