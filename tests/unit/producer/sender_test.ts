import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { KafkaError, WriteErrors, Writer, type WriterConfig } from "../../../mod.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import { type BatchHeader, type Fault, ProduceKafka } from "../_fake_produce.ts";

const values = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ value: `${prefix}${i}` }));

function writer(kafka: ProduceKafka, topic: string, config: Partial<WriterConfig> = {}): Writer {
  return new Writer({
    brokers: kafka.brokers,
    connect: kafka.connect,
    topic,
    writeBackoffMin: 1,
    writeBackoffMax: 5,
    ...config,
  });
}

/** A fake of `brokers` brokers holding topic `t`, of `partitions` partitions. */
function kafkaWithTopic(partitions = 1, brokers = 1): ProduceKafka {
  const kafka = new ProduceKafka(brokers);
  kafka.createTopic("t", partitions);
  return kafka;
}

/** Makes `kafka` answer `fault` to the first batch `when` picks; the result says if it did. */
function faultOnce(
  kafka: ProduceKafka,
  fault: Fault,
  when: (batch: BatchHeader) => boolean = () => true,
): () => boolean {
  let done = false;
  kafka.onProduce = (_t, _p, batch) => {
    if (done || !when(batch)) return;
    done = true;
    return fault;
  };
  return () => done;
}

describe("Writer's sender (in-memory broker)", () => {
  test("one Produce per broker carries the ready batch of every partition it leads", async () => {
    const kafka = kafkaWithTopic(4, 2); // partitions 0, 2 on broker 1; 1, 3 on broker 2
    const w = writer(kafka, "t", { batchSize: 10 });
    await w.writeMessages(values("m", 40)); // round robin: 10 per partition, each batch full
    await w.close();
    assert.equal(kafka.produces.length, 2);
    const byNode = new Map(
      kafka.produces.map((p) => [p.nodeId, p.partitions.map((x) => x.partition).sort()]),
    );
    assert.deepEqual(byNode.get(1), [0, 2]);
    assert.deepEqual(byNode.get(2), [1, 3]);
    for (const p of [0, 1, 2, 3]) assert.equal((await kafka.values("t", p)).length, 10);
  });

  test("up to maxInFlight batches of a partition are in flight, in sequence order", async () => {
    const kafka = kafkaWithTopic();
    const w = writer(kafka, "t", { batchSize: 2, maxInFlight: 3 });
    const release = kafka.holdAnswers();
    const written = w.writeMessages(values("m", 10));
    await kafka.producesArrived(3);
    // Three batches are out and unanswered; a fourth waits for room.
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(kafka.produces.length, 3);
    release();
    await written;
    await w.close();
    assert.deepEqual(kafka.log("t", 0).map((h) => h.baseSequence), [0, 2, 4, 6, 8]);
    assert.deepEqual(await kafka.values("t", 0), values("m", 10).map((m) => m.value));
    assert.ok(kafka.produces.length >= 2);
  });

  test("a retriable failure of an earlier batch re-sends the later in-flight ones in order", async () => {
    const kafka = kafkaWithTopic();
    faultOnce(kafka, { errorCode: ErrorCodes.NOT_LEADER_OR_FOLLOWER }, (b) => b.baseSequence === 0);
    const w = writer(kafka, "t", { batchSize: 1, maxInFlight: 5 });
    await w.writeMessages(values("m", 5));
    await w.close();
    const sent = kafka.produces.flatMap((p) => p.partitions.map((x) => x.batch.baseSequence));
    // First round: 0 (refused), 1..4 (out of order behind it); then 0..4 again, in order.
    assert.deepEqual(sent.slice(0, 5), [0, 1, 2, 3, 4]);
    assert.deepEqual(sent.slice(5), [0, 1, 2, 3, 4]);
    assert.deepEqual(await kafka.values("t", 0), ["m0", "m1", "m2", "m3", "m4"]);
  });

  test("NOT_LEADER_OR_FOLLOWER refreshes the metadata and sends to the new leader", async () => {
    const kafka = kafkaWithTopic(1, 2); // led by broker 1
    kafka.onProduce = (_t, _p, _b, nodeId) => {
      if (nodeId === 1) {
        kafka.topics.get("t")!.leaders[0] = 2; // the leadership moved
        return { errorCode: ErrorCodes.NOT_LEADER_OR_FOLLOWER };
      }
    };
    const w = writer(kafka, "t", { batchSize: 2 });
    await w.writeMessages(values("m", 6));
    await w.close();
    assert.deepEqual(await kafka.values("t", 0), values("m", 6).map((m) => m.value));
    assert.equal(kafka.produces.at(-1)?.nodeId, 2);
    assert.ok(kafka.produces.some((p) => p.nodeId === 1));
  });

  test("a batch whose answer was lost is sent again and deduplicated, not written twice", async () => {
    const kafka = kafkaWithTopic();
    const dropped = faultOnce(kafka, { dropAnswer: true }, (b) => b.baseSequence === 0);
    const w = writer(kafka, "t", { batchSize: 3 });
    await w.writeMessages(values("m", 9));
    await w.close();
    assert.ok(dropped());
    assert.deepEqual(await kafka.values("t", 0), values("m", 9).map((m) => m.value));
    assert.deepEqual(kafka.log("t", 0).map((h) => h.baseSequence), [0, 3, 6]);
  });

  test("a Produce that times out drops its connection; the batch is re-sent and deduplicated", async () => {
    const kafka = kafkaWithTopic();
    faultOnce(kafka, { noAnswer: true }); // written, but the answer never comes
    // The request may take writeTimeout plus 5 s of slack before it counts as lost.
    const w = writer(kafka, "t", { writeTimeout: 100 });
    const closed = () => kafka.node(1).sockets.filter((s) => s.closed).length;
    const closedBefore = closed();
    await w.writeMessages(values("m", 3));
    assert.ok(closed() > closedBefore, "the hung connection was closed");
    await w.close();
    assert.deepEqual(await kafka.values("t", 0), ["m0", "m1", "m2"]);
    assert.equal(kafka.produces.length, 2);
  });

  test("UNKNOWN_PRODUCER_ID bumps the epoch locally (same id, no InitProducerId) and restarts that partition's sequence", async () => {
    const kafka = kafkaWithTopic(2);
    const w = writer(kafka, "t", { batchSize: 2 });
    await w.writeMessages(values("a", 4)); // one batch per partition, epoch 0
    let lost = false;
    kafka.onProduce = (_t, partition, batch) => {
      if (partition === 0 && !lost) {
        lost = true;
        assert.equal(batch.baseSequence, 2);
        return { errorCode: ErrorCodes.UNKNOWN_PRODUCER_ID };
      }
    };
    await w.writeMessages(values("b", 4));
    await w.close();
    assert.equal(kafka.initProducerIds.length, 1);
    const first = kafka.log("t", 0)[0];
    const bumped = kafka.log("t", 0)[1];
    assert.equal(bumped.producerId, first.producerId);
    assert.equal(bumped.producerEpoch, first.producerEpoch + 1);
    assert.equal(bumped.baseSequence, 0);
    // Partition 1 lost nothing and goes on with its sequence.
    assert.deepEqual(kafka.log("t", 1).map((h) => h.baseSequence), [0, 2]);
    assert.deepEqual(await kafka.values("t", 0), ["a0", "a2", "b0", "b2"]);
    assert.deepEqual(await kafka.values("t", 1), ["a1", "a3", "b1", "b3"]);
  });

  test("OUT_OF_ORDER_SEQUENCE_NUMBER on a partition's oldest batch (state expired) bumps the epoch", async () => {
    const kafka = kafkaWithTopic();
    const w = writer(kafka, "t", { batchSize: 2 });
    await w.writeMessages(values("a", 2));
    kafka.forgetProducers(); // the broker answers seq 2 with OUT_OF_ORDER_SEQUENCE_NUMBER
    await w.writeMessages(values("b", 2));
    await w.close();
    assert.deepEqual(
      kafka.log("t", 0).map((h) => [h.producerEpoch, h.baseSequence]),
      [[0, 0], [1, 0]],
    );
    assert.deepEqual(await kafka.values("t", 0), ["a0", "a1", "b0", "b1"]);
  });

  test("PRODUCER_FENCED fails the batch clearly; nothing stays pending", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ errorCode: ErrorCodes.PRODUCER_FENCED });
    const w = writer(kafka, "t");
    const err = await w.writeMessages(values("m", 3)).then(() => undefined, (e) => e);
    assert.ok(err instanceof WriteErrors, `got ${err}`);
    assert.equal(err.count, 3);
    for (const e of err.errors) {
      assert.ok(e instanceof KafkaError && e.errorName === "PRODUCER_FENCED", `got ${e}`);
    }
    await w.close();
  });

  test("retriable failures end after maxAttempts with every message reported", async () => {
    const kafka = kafkaWithTopic();
    kafka.onProduce = () => ({ errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS });
    const reported: (Error | undefined)[] = [];
    const w = writer(kafka, "t", {
      maxAttempts: 3,
      batchSize: 2,
      completion: (messages, error) => messages.forEach(() => reported.push(error)),
    });
    const err = await w.writeMessages(values("m", 4)).then(() => undefined, (e) => e);
    assert.ok(err instanceof WriteErrors);
    assert.equal(err.count, 4);
    assert.equal(reported.length, 4);
    await w.close();
  });

  test("without idempotence one batch per partition is in flight and none carries a producer id", async () => {
    const kafka = kafkaWithTopic();
    const w = writer(kafka, "t", { requiredAcks: 1, batchSize: 2 });
    await w.writeMessages(values("m", 6));
    await w.close();
    assert.equal(kafka.initProducerIds.length, 0);
    assert.ok(kafka.log("t", 0).every((h) => h.producerId === -1n));
    assert.deepEqual(await kafka.values("t", 0), values("m", 6).map((m) => m.value));
  });

  test("a shared cluster is not closed by the writer", async () => {
    const kafka = kafkaWithTopic();
    const { Cluster } = await import("../../../src/cluster/cluster.ts");
    const cluster = new Cluster({ brokers: kafka.brokers, connect: kafka.connect });
    const w = new Writer({ cluster, topic: "t" });
    await w.writeMessages(values("m", 2));
    await w.close();
    assert.deepEqual((await cluster.topic("t")).partitionIds, [0]); // still usable
    await cluster.close();
  });
});
