// Half-open connections: every connection the client has open is black-holed (no byte either
// way, no FIN, no RST) by a proxy in front of the real broker, while new connections work. Each
// client must notice within about twice its request timeout, drop the dead connections, go on
// over new ones, and lose or repeat nothing.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { dial, type Message, Reader, Writer } from "../../mod.ts";
import { waitFor as waitUntil } from "../_eventually.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { FaultProxy } from "../_fault_proxy.ts";
import { readTopic } from "../_read_topic.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const unique = (name: string) =>
  `kafkit-halfopen-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const dec = new TextDecoder();

/** The request timeout every client under test runs with, in ms. */
const T = 2_000;
/** How long a test waits for a recovery before it gives up (longer to measure a bad one). */
const GIVE_UP = Number(process.env.HALF_OPEN_GIVE_UP ?? 30_000);
/** The recovery each client must make, in ms: two request timeouts, plus room for backoff. */
const BOUND = 2 * T + 1_500;
/** The Writer's Produce timeout on the broker; the client waits 5 s more for the answer. */
const PRODUCE_WAIT = 1_000;

async function createTopic(topic: string, partitions: number): Promise<void> {
  await using conn = await dial(brokers()[0]);
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

const DEBUG = process.env.HALF_OPEN_DEBUG !== undefined;
const started = Date.now();
const debug = DEBUG
  ? {
    errorLogger: (m: string) => console.log(`${Date.now() - started} ${m}`),
    logger: (m: string) => console.log(`${Date.now() - started} ${m}`),
  }
  : {};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const waitFor = (what: string, ok: () => boolean) => waitUntil(what, ok, GIVE_UP, 20);

/**
 * A Writer that bypasses the proxy and writes message `i` (key `k<i>`) every few ms, so a
 * reader under test always has something new to fetch.
 */
function feed(topic: string) {
  const writer = new Writer({ brokers: brokers(), topic, batchTimeout: 1 });
  const sentAt: number[] = [];
  let stopped = false;
  const running = (async () => {
    for (let i = 0; !stopped; i++) {
      await writer.writeMessages([{ key: `k${i}`, value: String(i) }]);
      sentAt[i] = Date.now();
      await sleep(20);
    }
  })();
  return {
    sentAt,
    async stop(): Promise<number> {
      stopped = true;
      await running;
      await writer.close();
      return sentAt.length;
    },
  };
}

/**
 * Reads through an outage: warms up, black-holes every connection the reader holds, and
 * measures how long until it gets a message written after that; then checks that every
 * message written arrived exactly once, in order per partition.
 */
async function readThroughOutage(
  topic: string,
  proxy: FaultProxy,
  reader: Reader,
): Promise<number> {
  const feeder = feed(topic);
  const got: Message[] = [];
  const arrivedAt: number[] = [];
  const errors: unknown[] = [];
  let reading = true;
  const loop = (async () => {
    while (reading) {
      try {
        const m = await reader.readMessage();
        got.push(m);
        arrivedAt.push(Date.now());
      } catch (e) {
        if (!reading) return;
        errors.push(e);
        await sleep(50);
      }
    }
  })();
  let stopped = false;
  try {
    await waitFor("the reader to warm up", () => got.length >= 20);
    const holed = proxy.blackholeAll();
    if (DEBUG) console.log(`${Date.now() - started} black-holed ${holed}`);
    const at = Date.now();
    assert.ok(holed >= 1, "the reader had connections open");
    const after = () => got.findIndex((m, i) => arrivedAt[i] >= at && feeder.sentAt[index(m)] > at);
    await waitFor("a message written after the outage", () => after() >= 0);
    const recovery = arrivedAt[after()] - at;
    await sleep(500);
    const written = await feeder.stop();
    stopped = true;
    await waitFor("every message", () => new Set(got.map(index)).size >= written);
    reading = false;
    const indexes = got.map(index);
    assert.equal(indexes.length, written, `duplicates: ${indexes.length - written}`);
    assert.deepEqual([...new Set(indexes)].sort((a, b) => a - b), [...Array(written).keys()]);
    const last = new Map<number, number>();
    for (const m of got) {
      assert.ok(m.offset > (last.get(m.partition) ?? -1), `offset order on ${m.partition}`);
      last.set(m.partition, m.offset);
    }
    assert.deepEqual(errors, [], "readMessage never failed");
    return recovery;
  } finally {
    reading = false;
    if (!stopped) await feeder.stop();
    await reader.close();
    await loop;
  }
}

const index = (m: Message) => Number(dec.decode(m.value!));

/** Logs a recovery time (the figures the issue asks for) and checks it against `bound`. */
function check(who: string, ms: number, bound: number): void {
  console.log(`half-open (${RUNTIME}): ${who} carried on after ${ms} ms (bound ${bound} ms)`);
  assert.ok(ms <= bound, `${who} carried on after ${ms} ms, more than ${bound} ms`);
}

describe(`half-open connections (${RUNTIME})`, () => {
  test("the Writer (acks=all, idempotent) carries on; nothing lost, nothing duplicated", async () => {
    const topic = unique("writer");
    await createTopic(topic, 2);
    const proxy = new FaultProxy();
    const writer = new Writer({
      brokers: brokers(),
      topic,
      connect: proxy.connect,
      requiredAcks: -1,
      readTimeout: T,
      requestTimeout: T,
      writeTimeout: PRODUCE_WAIT,
      batchTimeout: 1,
    });
    const acked: number[] = [];
    const ackedAt: number[] = [];
    let next = 0;
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const batch = Array.from({ length: 10 }, () => next++);
        await writer.writeMessages(batch.map((i) => ({ key: `k${i}`, value: String(i) })));
        for (const i of batch) acked.push(i);
        ackedAt.push(Date.now());
        await sleep(20);
      }
    })();
    try {
      await waitFor("writes to flow", () => acked.length >= 100);
      assert.ok(proxy.blackholeAll() >= 1);
      const at = Date.now();
      // An answer already on its way at the outage may still arrive in the first few ms.
      const after = () => ackedAt.find((t) => t > at + 50);
      await waitFor("a write after the outage", () => after() !== undefined);
      const recovery = after()! - at;
      await sleep(500);
      stop = true;
      await loop;
      const landed = await readTopic(brokers()[0], topic, acked.length);
      const values = landed.map((m) => Number(dec.decode(m.value!)));
      assert.equal(values.length, acked.length, `landed ${values.length} of ${acked.length}`);
      assert.deepEqual(
        [...new Set(values)].sort((a, b) => a - b),
        [...acked].sort((a, b) => a - b),
      );
      const last = new Map<number, number>();
      for (const m of landed) {
        const value = Number(dec.decode(m.value!));
        assert.ok(value > (last.get(m.partition) ?? -1), `order on partition ${m.partition}`);
        last.set(m.partition, value);
      }
      check("the Writer", recovery, 2 * (PRODUCE_WAIT + 5_000) + 1_500);
    } finally {
      stop = true;
      await loop.catch(() => {});
      await writer.close();
      await proxy.close();
    }
  });

  test("a partition Reader carries on", async () => {
    const topic = unique("partition");
    await createTopic(topic, 1);
    const proxy = new FaultProxy();
    try {
      const reader = new Reader({
        brokers: brokers(),
        topic,
        connect: proxy.connect,
        requestTimeout: T,
        readBatchTimeout: T,
        maxWait: 200,
        ...debug,
      });
      // A fetch is allowed maxWait + readBatchTimeout.
      check("a partition Reader", await readThroughOutage(topic, proxy, reader), BOUND + 200);
    } finally {
      await proxy.close();
    }
  });

  test("a partition Reader catching up on a backlog in 16 KiB responses carries on: every offset once, in order", async () => {
    // Small responses over a backlog: each answer sends the next Fetch before it is decoded,
    // so the outage catches the reader with a fetch in flight and data still queued.
    const topic = unique("backlog");
    await createTopic(topic, 1);
    const total = 20_000;
    {
      await using writer = new Writer({ brokers: brokers(), topic, batchSize: 1_000 });
      await writer.writeMessages(
        Array.from({ length: total }, (_, i) => ({ value: String(i).padStart(90, " ") })),
      );
    }
    const proxy = new FaultProxy();
    const reader = new Reader({
      brokers: brokers(),
      topic,
      connect: proxy.connect,
      requestTimeout: T,
      readBatchTimeout: T,
      maxWait: 200,
      maxBytes: 16 * 1024,
      ...debug,
    });
    try {
      const got: number[] = [];
      let holed = 0;
      let at = 0;
      while (got.length < total) {
        const m = await reader.readMessage({ signal: AbortSignal.timeout(GIVE_UP) });
        assert.equal(m.offset, got.length, "every offset once, in order");
        got.push(Number(dec.decode(m.value!)));
        if (got.length === 2_000) {
          holed = proxy.blackholeAll();
          at = Date.now();
        }
      }
      assert.ok(holed >= 1, "the reader had connections open");
      assert.deepEqual(got, [...Array(total).keys()]);
      console.log(
        `half-open (${RUNTIME}): backlog reader finished ${Date.now() - at} ms after the outage`,
      );
    } finally {
      await reader.close();
      await proxy.close();
    }
  });

  for (const groupProtocol of ["classic", "consumer"] as const) {
    test(`a ${groupProtocol} group Reader carries on`, async () => {
      const topic = unique(`group-${groupProtocol}`);
      await createTopic(topic, 2);
      const proxy = new FaultProxy();
      try {
        const reader = new Reader({
          brokers: brokers(),
          topic,
          groupId: unique(`g-${groupProtocol}`),
          groupProtocol,
          connect: proxy.connect,
          requestTimeout: T,
          readBatchTimeout: T,
          maxWait: 200,
          heartbeatInterval: 500,
          sessionTimeout: 10_000,
          ...debug,
        });
        const recovery = await readThroughOutage(topic, proxy, reader);
        check(`a ${groupProtocol} group Reader`, recovery, BOUND + 200);
      } finally {
        await proxy.close();
      }
    });
  }
});
