// close() is prompt: it flushes what it can, and once closeTimeout passes (or its signal
// aborts) fails whatever is still queued or in flight with a WriterClosedError — every
// accepted message is acknowledged or reported, never left pending.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  KafkaError,
  type MessageInput,
  WriteErrors,
  Writer,
  WriterClosedError,
  type WriterConfig,
} from "../../../mod.ts";
import { Cluster } from "../../../src/cluster/cluster.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import { ProduceKafka } from "../_fake_produce.ts";

const values = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}` }));

function kafkaWithTopic(partitions = 1): ProduceKafka {
  const kafka = new ProduceKafka(1);
  kafka.createTopic("t", partitions);
  return kafka;
}

/** A writer whose completion reports land in `reported` (value -> errors). */
function writer(kafka: ProduceKafka, config: Partial<WriterConfig> = {}) {
  const reported = new Map<string, (Error | undefined)[]>();
  const w = new Writer({
    brokers: kafka.brokers,
    connect: kafka.connect,
    topic: "t",
    completion: (messages: MessageInput[], error?: Error) => {
      for (const m of messages) {
        reported.set(String(m.value), [...reported.get(String(m.value)) ?? [], error]);
      }
    },
    ...config,
  });
  return { w, reported };
}

/** Times `fn` in ms. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = Date.now();
  await fn();
  return Date.now() - started;
}

describe("Writer close() under failures (in-memory broker)", () => {
  test("after an aborted write on a failing broker, close() returns after closeTimeout and reports every message", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS });
    // The default backoff (100 ms to 1 s) and no attempt cap: the batch retries for two
    // minutes unless close() ends it.
    const { w, reported } = writer(kafka, { closeTimeout: 300 });
    await assert.rejects(
      w.writeMessages(values("m", 5), { signal: AbortSignal.timeout(100) }),
      (e: Error) => e.name === "TimeoutError" || e.name === "AbortError",
    );
    const took = await timed(() => w.close());
    assert.ok(took >= 280 && took < 1_500, `close() took ${took} ms`);
    assert.deepEqual([...reported.keys()].sort(), values("m", 5).map((m) => m.value));
    for (const [value, errors] of reported) {
      assert.equal(errors.length, 1, `${value} reported once`);
      const [e] = errors;
      assert.ok(e instanceof WriterClosedError, `${value}: ${e}`);
      assert.match(e.message, /closed before the message was acknowledged \(closeTimeout 300 ms\)/);
      assert.ok(e.cause instanceof KafkaError && e.cause.errorName === "NOT_ENOUGH_REPLICAS");
    }
  });

  test("close({ signal }) ends the grace period early", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS });
    const { w, reported } = writer(kafka, { async: true }); // default closeTimeout: 5 s
    await w.writeMessages(values("m", 3));
    const took = await timed(() => w.close({ signal: AbortSignal.timeout(50) }));
    assert.ok(took < 1_000, `close() took ${took} ms`);
    assert.equal(reported.size, 3);
    assert.ok([...reported.values()].every(([e]) => e instanceof WriterClosedError));
  });

  test("a batch in flight with no answer and the messages queued behind it fail at the end of the grace period", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ noAnswer: true }); // appended, never answered
    const { w, reported } = writer(kafka, {
      requiredAcks: 1, // one batch in flight: the rest wait in the queue
      batchSize: 2,
      closeTimeout: 200,
    });
    const pending = w.writeMessages(values("m", 10)).then(() => undefined, (e) => e);
    await kafka.producesArrived(1);
    const took = await timed(() => w.close());
    assert.ok(took >= 180 && took < 1_500, `close() took ${took} ms`);
    const err = await pending;
    assert.ok(err instanceof WriteErrors, `got ${err}`);
    assert.equal(err.count, 10);
    assert.ok(err.failures.every((f) => f.error instanceof WriterClosedError));
    assert.equal(reported.size, 10);
    assert.ok([...reported.values()].every((errors) => errors.length === 1));
    assert.equal(w.stats().bufferedBytes, 0);
  });

  test("a healthy close() delivers everything queued; with closeTimeout 0 each message is written or reported closed", async () => {
    const kafka = kafkaWithTopic(3);
    const healthy = writer(kafka, { async: true, batchTimeout: 1_000 });
    await healthy.w.writeMessages(values("n", 30));
    await healthy.w.close(); // does not wait out the batchTimeout either
    assert.equal(healthy.reported.size, 30);
    assert.ok([...healthy.reported.values()].every(([e]) => e === undefined));
    assert.equal((await kafka.values("t", 0)).length, 10);

    const hasty = writer(kafka, { async: true, batchTimeout: 1_000, closeTimeout: 0 });
    await hasty.w.writeMessages(values("m", 30));
    await hasty.w.close();
    assert.equal(hasty.reported.size, 30);
    assert.ok(
      [...hasty.reported.values()].every(([e]) =>
        e === undefined || e instanceof WriterClosedError
      ),
    );
  });

  test("with a shared cluster, close() fails what is pending and leaves the cluster usable", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ noAnswer: true });
    const cluster = new Cluster({ brokers: kafka.brokers, connect: kafka.connect });
    const w = new Writer({ cluster, topic: "t", closeTimeout: 100 });
    const pending = w.writeMessages(values("m", 2)).then(() => undefined, (e) => e);
    await kafka.producesArrived(1);
    const took = await timed(() => w.close());
    assert.ok(took < 1_000, `close() took ${took} ms`);
    assert.ok(await pending instanceof WriteErrors);
    assert.deepEqual((await cluster.topic("t")).partitionIds, [0]);
    await cluster.close();
  });

  test("close() twice: the second call waits for the same close", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS });
    const { w, reported } = writer(kafka, { async: true, closeTimeout: 200 });
    await w.writeMessages(values("m", 2));
    const first = w.close();
    await w.close();
    assert.equal(reported.size, 2, "the second close() returned after the first was done");
    await first;
    await assert.rejects(w.writeMessages(values("x", 1)), WriterClosedError);
  });
});
