// Retry budgets by time: a message has `deliveryTimeout` from its acceptance to be
// acknowledged, however many attempts that takes (maxAttempts is an optional cap); one that
// runs out fails with a DeliveryTimeoutError carrying its last error. Metadata timeouts are
// retried like any retriable error. With idempotence, an expired batch leaves the sequence
// consistent: nothing is written twice, and the partition goes on.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionError,
  DeliveryTimeoutError,
  KafkaError,
  TimeoutError,
  WriteErrors,
  Writer,
  type WriterConfig,
} from "../../../mod.ts";
import { Metadata } from "../../../src/protocol/generated/metadata.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import { never } from "../_fake_broker.ts";
import { ProduceKafka } from "../_fake_produce.ts";

const values = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}` }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function writer(kafka: ProduceKafka, config: Partial<WriterConfig> = {}): Writer {
  return new Writer({
    brokers: kafka.brokers,
    connect: kafka.connect,
    topic: "t",
    writeBackoffMin: 1,
    writeBackoffMax: 5,
    writeTimeout: 100,
    ...config,
  });
}

function kafkaWithTopic(partitions = 1, brokers = 1): ProduceKafka {
  const kafka = new ProduceKafka(brokers);
  kafka.createTopic("t", partitions);
  return kafka;
}

/** Resolves to what the call rejected with (undefined when it resolved). */
const outcome = (p: Promise<unknown>) => p.then(() => undefined, (e) => e);

describe("Writer retry budget by time (in-memory broker)", () => {
  test("a retriable error until deliveryTimeout: every message fails with a DeliveryTimeoutError carrying the last error", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS });
    const reported: { value: unknown; error?: Error }[] = [];
    const w = writer(kafka, {
      deliveryTimeout: 400,
      batchSize: 2,
      completion: (messages, error) =>
        messages.forEach((m) => reported.push({ value: m.value, error })),
    });
    const started = Date.now();
    const err = await outcome(w.writeMessages(values("m", 6)));
    const took = Date.now() - started;
    assert.ok(err instanceof WriteErrors, `got ${err}`);
    assert.equal(err.count, 6);
    assert.deepEqual(err.failures.map((f) => f.index), [0, 1, 2, 3, 4, 5]);
    for (const f of err.failures) {
      assert.ok(f.error instanceof DeliveryTimeoutError, `got ${f.error}`);
      assert.ok(f.error instanceof TimeoutError);
      assert.equal(f.error.deliveryTimeout, 400);
      assert.match(f.error.message, /deliveryTimeout \(400 ms\).*NOT_ENOUGH_REPLICAS/);
      const cause = f.error.cause;
      assert.ok(cause instanceof KafkaError && cause.errorName === "NOT_ENOUGH_REPLICAS");
      assert.equal(f.message.value, `m${f.index}`);
    }
    // Time, not a count, ended the retries: far more than kafka-go's ten attempts were made.
    assert.ok(took >= 380 && took < 2_000, `failed after ${took} ms`);
    assert.ok(kafka.produces.length > 20, `${kafka.produces.length} Produce requests`);
    // Each message reported once to completion, with the same error as in WriteErrors.
    assert.deepEqual(reported.map((r) => r.value).sort(), values("m", 6).map((m) => m.value));
    assert.ok(reported.every((r) => r.error instanceof DeliveryTimeoutError));
    assert.equal(w.stats().bufferedBytes, 0);
    await w.close();
  });

  test("a leader down for longer than ten attempts' backoff: retries go on and every message is written", async () => {
    // The acks=1 chaos run: 10 attempts of 100 ms-1 s ran out before a dead leader was
    // replaced. Here ten attempts last about 50 ms and the leader is gone for 600 ms.
    const kafka = kafkaWithTopic();
    kafka.node(1).state = "dead";
    const w = writer(kafka, { requiredAcks: 1, batchSize: 5 });
    const written = w.writeMessages(values("m", 20));
    await sleep(600);
    kafka.node(1).state = "up";
    await written;
    assert.ok(w.stats().retries > 10);
    assert.deepEqual(await kafka.values("t", 0), values("m", 20).map((m) => m.value));
    await w.close();
  });

  test("a refused connection until deliveryTimeout reports the ConnectionError as the cause", async () => {
    const kafka = kafkaWithTopic();
    const w = writer(kafka, { requiredAcks: 1, deliveryTimeout: 300 });
    await w.writeMessages(values("warm", 1)); // metadata known; then the leader dies
    kafka.node(1).state = "dead";
    for (const socket of kafka.node(1).sockets) socket.close();
    const err = await outcome(w.writeMessages(values("m", 3)));
    assert.ok(err instanceof WriteErrors, `got ${err}`);
    assert.equal(err.count, 3);
    for (const f of err.failures) {
      assert.ok(f.error instanceof DeliveryTimeoutError, `got ${f.error}`);
      assert.ok(f.error.cause instanceof Error, `cause ${f.error.cause}`);
      assert.match(String((f.error.cause as Error).message), /refused|ECONNREFUSED/i);
    }
    kafka.node(1).state = "up";
    await w.close();
  });

  test("maxAttempts still caps the attempts when set", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS });
    const w = writer(kafka, { maxAttempts: 3 });
    const err = await outcome(w.writeMessages(values("m", 2)));
    assert.ok(err instanceof WriteErrors);
    assert.equal(kafka.produces.length, 3);
    // The cap ends it with the last error itself.
    assert.ok(err.failures.every((f) => f.error instanceof KafkaError));
    await w.close();
  });

  test("messages queued behind a stuck partition expire with the error that held them", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS });
    // One batch of 2 in flight at a time: the other 8 messages wait in the queue.
    const w = writer(kafka, { requiredAcks: 1, batchSize: 2, deliveryTimeout: 300 });
    const started = Date.now();
    const err = await outcome(w.writeMessages(values("m", 10)));
    assert.ok(err instanceof WriteErrors);
    assert.equal(err.count, 10);
    for (const f of err.failures) {
      assert.ok(f.error instanceof DeliveryTimeoutError);
      assert.ok(f.error.cause instanceof KafkaError, `message ${f.index}: ${f.error.cause}`);
    }
    // The queued ones fail right after the stuck batch, not a deliveryTimeout each.
    assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms`);
    await w.close();
  });

  test("a metadata TimeoutError while routing is retried, not the call's failure", async () => {
    const kafka = kafkaWithTopic();
    const answer = kafka.handler(Metadata);
    let asked = 0;
    // The first four lookups hang (each try of the core's own retry times out too).
    kafka.on(Metadata, (req, ctx) => (++asked <= 4 ? never() : answer(req, ctx)));
    const w = writer(kafka, { readTimeout: 100 });
    await w.writeMessages(values("m", 3));
    assert.ok(asked > 4);
    assert.ok(w.stats().retries >= 1);
    assert.deepEqual(await kafka.values("t", 0), ["m0", "m1", "m2"]);
    await w.close();
  });

  test("metadata that keeps timing out fails the messages after deliveryTimeout, with the TimeoutError as cause", async () => {
    const kafka = kafkaWithTopic();
    kafka.on(Metadata, () => never());
    const w = writer(kafka, { readTimeout: 50, deliveryTimeout: 400 });
    const started = Date.now();
    const err = await outcome(w.writeMessages(values("m", 2)));
    assert.ok(err instanceof WriteErrors, `got ${err}`);
    assert.ok(Date.now() - started >= 350);
    for (const f of err.failures) {
      assert.ok(f.error instanceof DeliveryTimeoutError);
      assert.ok(f.error.cause instanceof TimeoutError, `cause ${f.error.cause}`);
      assert.match(String(f.error.message), /Metadata/);
    }
    await w.close();
  });

  test("idempotent: an expired batch that was never written makes the next one start a new epoch; nothing twice", async () => {
    const kafka = kafkaWithTopic();
    // The first batch (sequence 0 of epoch 0) is refused until it expires.
    kafka.onProduce = (_t, _p, b) =>
      b.producerEpoch === 0 && b.baseSequence === 0
        ? { errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS }
        : undefined;
    const w = writer(kafka, { batchSize: 2, deliveryTimeout: 400 });
    const first = outcome(w.writeMessages(values("a", 2)));
    await sleep(200);
    // Numbered after the first (sequence 2): the broker sees a gap once the first expires.
    const second = outcome(w.writeMessages(values("b", 2)));
    const err = await first;
    assert.ok(err instanceof WriteErrors);
    assert.ok(err.failures.every((f) => f.error instanceof DeliveryTimeoutError));
    assert.equal(await second, undefined);
    assert.deepEqual(await kafka.values("t", 0), ["b0", "b1"]);
    // Same producer id, the next epoch, from sequence 0.
    const [h] = kafka.log("t", 0);
    assert.deepEqual([h.producerEpoch, h.baseSequence], [1, 0]);
    assert.equal(kafka.initProducerIds.length, 1);
    await w.close();
  });

  test("idempotent: an expired batch that was written after all is not written again; the next keeps its sequence", async () => {
    const kafka = kafkaWithTopic();
    let lost = false;
    kafka.onProduce = (_t, _p, b) => {
      if (b.baseSequence !== 0) return;
      if (!lost) {
        lost = true;
        return { dropAnswer: true }; // written, but the answer never comes back
      }
      return { errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS }; // and every resend refused
    };
    const w = writer(kafka, { batchSize: 2, deliveryTimeout: 400 });
    const first = outcome(w.writeMessages(values("a", 2)));
    await sleep(200);
    const second = outcome(w.writeMessages(values("b", 2)));
    const err = await first;
    // Reported as failed (its answer never came), though the broker has it.
    assert.ok(err instanceof WriteErrors);
    assert.ok(err.failures.every((f) => f.error instanceof DeliveryTimeoutError));
    assert.equal(await second, undefined);
    assert.deepEqual(await kafka.values("t", 0), ["a0", "a1", "b0", "b1"]);
    assert.deepEqual(
      kafka.log("t", 0).map((h) => [h.producerEpoch, h.baseSequence]),
      [[0, 0], [0, 2]],
    );
    await w.close();
  });

  test("WriteErrors.errors is dense: iterating it visits every message of the call", async () => {
    const kafka = kafkaWithTopic(3);
    kafka.onProduce = (_t, partition) =>
      partition === 1 ? { errorCode: ErrorCodes.INVALID_RECORD } : undefined;
    const w = writer(kafka);
    const err = await outcome(w.writeMessages(values("m", 3))); // round robin: one each
    assert.ok(err instanceof WriteErrors);
    let visited = 0;
    let failed = 0;
    err.errors.forEach((e) => {
      visited++;
      if (e) failed++;
    });
    assert.equal(visited, 3);
    assert.equal(failed, 1);
    assert.equal(err.count, 1);
    assert.deepEqual(Object.keys(err.errors), ["0", "1", "2"]);
    const [f] = err.failures;
    assert.equal(err.errors[f.index], f.error);
    assert.equal(f.message.value, `m${f.index}`);
    assert.ok(!(err.errors[f.index] instanceof ConnectionError));
    await w.close();
  });
});
