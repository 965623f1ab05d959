import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type DeliveryReport, KafkaError, Writer, type WriterConfig } from "../../../mod.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import { ProduceKafka } from "../_fake_produce.ts";

const values = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `m${i}` }));

/** A writer on a fake one-broker cluster holding topic `t` of `partitions` partitions. */
function setup(partitions: number, config: Partial<WriterConfig> = {}) {
  const kafka = new ProduceKafka(1);
  kafka.createTopic("t", partitions);
  const reported: DeliveryReport[] = [];
  const writer = new Writer({
    brokers: kafka.brokers,
    connect: kafka.connect,
    topic: "t",
    writeBackoffMin: 1,
    writeBackoffMax: 5,
    completion: (_messages, _error, reports) => reported.push(...reports),
    ...config,
  });
  return { kafka, writer, reported };
}

describe("delivery reports (in-memory broker)", () => {
  test("each message gets its partition and offset, batch after batch, in the order given", async () => {
    const { kafka, writer, reported } = setup(1, { batchSize: 2 });
    const messages = values(5);
    const reports = await writer.deliver(messages);
    await writer.close();
    assert.deepEqual(reports.map((r) => [r.topic, r.partition, r.offset]), [
      ["t", 0, 0],
      ["t", 0, 1],
      ["t", 0, 2],
      ["t", 0, 3],
      ["t", 0, 4],
    ]);
    reports.forEach((r, i) => assert.equal(r.message, messages[i]));
    assert.deepEqual(
      reported.map((r) => r.offset).sort((a, b) => a - b),
      [0, 1, 2, 3, 4],
      "completion got the same offsets",
    );
    assert.deepEqual(await kafka.values("t", 0), messages.map((m) => m.value));
  });

  test("a batch whose answer was lost is resent and reported at the offsets it was first written at", async () => {
    const { kafka, writer } = setup(1, { batchSize: 2 });
    let dropped = false;
    kafka.onProduce = () => {
      if (dropped) return;
      dropped = true;
      return { dropAnswer: true };
    };
    const reports = await writer.deliver(values(4));
    await writer.close();
    assert.ok(dropped);
    assert.deepEqual(reports.map((r) => r.offset), [0, 1, 2, 3]);
    assert.equal((await kafka.values("t", 0)).length, 4, "written once");
  });

  test("failed messages are reported with their error and offset -1; the call does not reject", async () => {
    const { kafka, writer, reported } = setup(2, { batchSize: 10 });
    kafka.onProduce = (_topic, partition) =>
      partition === 1 ? { errorCode: ErrorCodes.PRODUCER_FENCED } : undefined;
    const reports = await writer.deliver([
      { value: "a", partition: 0 },
      { value: "b", partition: 1 },
      { value: "c", partition: 5 },
    ]);
    await writer.close();
    assert.equal(reports[0].error, undefined);
    assert.equal(reports[0].offset, 0);
    assert.ok(reports[1].error instanceof KafkaError);
    assert.deepEqual([reports[1].partition, reports[1].offset], [1, -1]);
    assert.ok(reports[2].error instanceof RangeError, "partition 5 does not exist");
    assert.deepEqual([reports[2].partition, reports[2].offset], [5, -1]);
    assert.equal(reported.length, 3);
    assert.equal(reported.filter((r) => r.error).length, 2);
  });
});
