// Bounded memory: a stalled broker (Produce answers held back) with callers offering data
// all the time. The Writer holds at most maxBufferedBytes of accepted messages; a call that
// finds no room waits for it (honouring its signal) and after maxBlock rejects with a
// BufferFullError, having accepted nothing; `writable` gets the same backpressure. Once the
// broker answers again, everything accepted is written exactly once.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  AbortError,
  BufferFullError,
  KafkitError,
  type MessageInput,
  TimeoutError,
  Writer,
  WriterClosedError,
  type WriterConfig,
} from "../../../mod.ts";
import { MESSAGE_OVERHEAD } from "../../../src/producer/writer.ts";
import { ProduceKafka } from "../_fake_produce.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const VALUE = 1000;
/** A message's size as the budget counts it: the value plus its framing and bookkeeping. */
const FRAMING = MESSAGE_OVERHEAD;
const message = (i: number): MessageInput => ({ value: String(i).padStart(VALUE, "0") });

function stalled(config: Partial<WriterConfig> = {}) {
  const kafka = new ProduceKafka(1);
  kafka.createTopic("t", 2);
  const release = kafka.holdAnswers();
  const w = new Writer({
    brokers: kafka.brokers,
    connect: kafka.connect,
    topic: "t",
    batchSize: 10,
    writeBackoffMin: 1,
    writeBackoffMax: 5,
    maxBufferedBytes: 64 * 1024,
    ...config,
  });
  return { kafka, w, release };
}

/** Every value written, over both partitions, sorted. */
async function written(kafka: ProduceKafka): Promise<string[]> {
  return [...await kafka.values("t", 0), ...await kafka.values("t", 1)].sort();
}

describe("Writer buffer limit (in-memory broker, stalled)", () => {
  test("async calls offered continuously: the buffer stays within maxBufferedBytes, a call blocks and then rejects after maxBlock, nothing lost or doubled after the resume", async () => {
    const reported = new Map<string, number>();
    const { kafka, w, release } = stalled({
      async: true,
      maxBlock: 200,
      completion: (messages, error) => {
        assert.equal(error, undefined);
        for (const m of messages) {
          reported.set(String(m.value), (reported.get(String(m.value)) ?? 0) + 1);
        }
      },
    });
    const limit = 64 * 1024;
    const accepted: string[] = [];
    let next = 0;
    let refused: unknown;
    let blockedFor = 0;
    let peak = 0;
    // A producer that never stops offering: calls of 5 messages until one is refused.
    while (refused === undefined) {
      const call = Array.from({ length: 5 }, () => message(next++));
      const started = Date.now();
      try {
        await w.writeMessages(call);
        accepted.push(...call.map((m) => String(m.value)));
      } catch (e) {
        refused = e;
        blockedFor = Date.now() - started;
      }
      peak = Math.max(peak, w.stats().bufferedBytes);
      assert.ok(peak <= limit, `${peak} bytes buffered`);
    }
    assert.ok(refused instanceof BufferFullError, `got ${refused}`);
    assert.ok(refused instanceof TimeoutError && refused instanceof KafkitError);
    assert.ok(refused.retriable);
    assert.equal(refused.maxBlock, 200);
    assert.match(refused.message, /maxBlock \(200 ms\)/);
    assert.ok(blockedFor >= 190 && blockedFor < 1_000, `blocked for ${blockedFor} ms`);
    // Full up to less than one call's worth.
    const perMessage = VALUE + FRAMING;
    assert.ok(peak > limit - 5 * perMessage, `peak ${peak}`);
    assert.ok(accepted.length * VALUE <= limit);

    release();
    await w.flush();
    assert.equal(w.stats().bufferedBytes, 0);
    // Every accepted message written once; the refused call's messages not at all.
    assert.deepEqual(await written(kafka), [...accepted].sort());
    assert.equal(reported.size, accepted.length);
    assert.ok([...reported.values()].every((n) => n === 1));
    await w.close();
  });

  test("sync calls waiting for room go in turn as acknowledgements free it", async () => {
    const { kafka, w, release } = stalled({ maxBlock: 10_000 });
    const limit = 64 * 1024;
    const calls: Promise<void>[] = [];
    // 40 calls of 10 KB each, none awaited: about six fit, the rest wait.
    for (let c = 0; c < 40; c++) {
      calls.push(w.writeMessages(Array.from({ length: 10 }, (_, j) => message(c * 10 + j))));
    }
    await sleep(100);
    const held = w.stats().bufferedBytes;
    assert.ok(held <= limit && held > limit / 2, `${held} bytes buffered`);
    const stopped = kafka.produces.length;
    await sleep(100);
    assert.equal(kafka.produces.length, stopped, "nothing more sent while nothing is answered");
    release();
    await Promise.all(calls);
    assert.equal(w.stats().bufferedBytes, 0);
    const all = Array.from({ length: 400 }, (_, i) => String(message(i).value)).sort();
    assert.deepEqual(await written(kafka), all);
    await w.close();
  });

  test("a blocked call's signal ends its wait with an AbortError, and nothing of it is queued", async () => {
    const { kafka, w, release } = stalled({ async: true, maxBlock: 60_000 });
    let i = 0;
    // Full: no room for the two messages of the call below.
    while (w.stats().bufferedBytes + 2 * (VALUE + FRAMING) <= 64 * 1024) {
      await w.writeMessages([message(i++)]);
    }
    const accepted = i;
    const reason = new Error("caller gave up");
    const controller = new AbortController();
    const started = Date.now();
    const blocked = w.writeMessages([message(10_000), message(10_001)], {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(blocked, (e) => e instanceof AbortError && e.cause === reason);
    assert.ok(Date.now() - started < 1_000);
    release();
    await w.flush();
    const values = await written(kafka);
    assert.equal(values.length, accepted);
    assert.ok(!values.includes(String(message(10_000).value)));
    await w.close();
  });

  test("maxBlock 0 refuses at once when the buffer is full", async () => {
    const { w, release } = stalled({ async: true, maxBlock: 0, maxBufferedBytes: 4096 });
    await w.writeMessages([message(1), message(2), message(3)]);
    const started = Date.now();
    await assert.rejects(w.writeMessages([message(4), message(5)]), BufferFullError);
    assert.ok(Date.now() - started < 100);
    release();
    await w.close();
  });

  test("a call larger than the whole buffer waits until it is empty, then goes alone", async () => {
    const { kafka, w, release } = stalled({ maxBufferedBytes: 4096, maxBlock: 5_000 });
    const small = w.writeMessages([message(1)]);
    const big = w.writeMessages(Array.from({ length: 10 }, (_, j) => message(100 + j)));
    await sleep(50);
    assert.ok(w.stats().bufferedBytes < 4096, "the big call waits for the small one");
    release();
    await Promise.all([small, big]);
    assert.equal((await written(kafka)).length, 11);
    await w.close();
  });

  test("writable: a stream offering messages continuously stops being read while the buffer is full", async () => {
    const { kafka, w, release } = stalled({ maxBlock: 60_000 });
    let pulled = 0;
    const source = new ReadableStream<MessageInput>({
      pull(controller) {
        if (pulled === 2_000) return controller.close();
        controller.enqueue(message(pulled++));
      },
    }, { highWaterMark: 0 });
    const piped = source.pipeTo(w.writable);
    await sleep(200);
    const limit = 64 * 1024;
    assert.ok(w.stats().bufferedBytes <= limit);
    // About one budget's worth read, not the whole source.
    assert.ok(pulled < 100, `${pulled} messages pulled`);
    release();
    await piped;
    assert.equal(pulled, 2_000);
    await w.flush();
    assert.equal((await written(kafka)).length, 2_000);
    await w.close();
  });

  test("close() fails calls still waiting for room with a WriterClosedError", async () => {
    const { w, release } = stalled({ async: true, maxBlock: 60_000, maxBufferedBytes: 4096 });
    await w.writeMessages([message(1), message(2), message(3)]);
    const blocked = w.writeMessages([message(4), message(5)]);
    await sleep(20);
    const closed = w.close();
    await assert.rejects(blocked, WriterClosedError);
    release();
    await closed;
  });
});
