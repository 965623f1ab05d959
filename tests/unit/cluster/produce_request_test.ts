import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  buildProduceRequest,
  classifyPartition,
  classifyProduceResponse,
  MissingAnswerError,
  type PartitionBatch,
} from "../../../src/cluster/requests/produce.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import {
  defaultPartitionProduceResponse,
  type PartitionProduceResponse,
  Produce,
} from "../../../src/protocol/generated/produce.ts";
import { ByteReader } from "../../../src/wire/byte_reader.ts";
import { ByteWriter } from "../../../src/wire/byte_writer.ts";

const TOPIC_A = "AAAAAAAAAAAAAAAAAAAAAQ";
const TOPIC_B = "AAAAAAAAAAAAAAAAAAAAAg";
const batch = (topic: string, topicId: string, partition: number): PartitionBatch => ({
  topic,
  topicId,
  partition,
  records: new Uint8Array([partition]),
});
const answer = (fields: Partial<PartitionProduceResponse>): PartitionProduceResponse => ({
  ...defaultPartitionProduceResponse(),
  ...fields,
});

describe("Produce request builder", () => {
  test("groups several partitions' batches by topic, in first-seen order", () => {
    const req = buildProduceRequest([
      batch("a", TOPIC_A, 0),
      batch("b", TOPIC_B, 3),
      batch("a", TOPIC_A, 1),
    ], { acks: -1, timeoutMs: 1234 });
    assert.deepEqual(req, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 1234,
      topicData: [
        {
          name: "a",
          topicId: TOPIC_A,
          partitionData: [{ index: 0, records: new Uint8Array([0]) }, {
            index: 1,
            records: new Uint8Array([1]),
          }],
        },
        {
          name: "b",
          topicId: TOPIC_B,
          partitionData: [{ index: 3, records: new Uint8Array([3]) }],
        },
      ],
    });
  });

  test("encodes at every Produce version (names up to v12, topic ids at v13)", () => {
    const req = buildProduceRequest([batch("a", TOPIC_A, 0)], { acks: 1, timeoutMs: 10 });
    for (let v = Produce.minVersion; v <= Produce.maxVersion; v++) {
      const w = new ByteWriter();
      Produce.writeRequest(w, req, v);
      const back = Produce.readRequest(new ByteReader(w.bytes()), v);
      assert.equal(back.topicData![0].name, v <= 12 ? "a" : "");
      assert.equal(back.topicData![0].topicId, v >= 13 ? TOPIC_A : "AAAAAAAAAAAAAAAAAAAAAA");
    }
  });

  test("two batches for one partition are a TypeError naming it", () => {
    assert.throws(
      () =>
        buildProduceRequest([batch("a", TOPIC_A, 2), batch("a", TOPIC_A, 2)], {
          acks: -1,
          timeoutMs: 1,
        }),
      { name: "TypeError", message: /a\/2/ },
    );
  });
});

describe("Produce answer classifier", () => {
  test("success and duplicate sequence are written", () => {
    assert.deepEqual(classifyPartition("a", 0, answer({ baseOffset: 42n })), {
      kind: "written",
      baseOffset: 42,
      appendTime: null,
      duplicate: false,
    });
    const dup = classifyPartition(
      "a",
      0,
      answer({ errorCode: ErrorCodes.DUPLICATE_SEQUENCE_NUMBER, logAppendTimeMs: 1000n }),
    );
    assert.equal(dup.kind, "written");
    assert.ok(dup.kind === "written" && dup.duplicate && dup.appendTime?.getTime() === 1000);
  });

  test("retriable errors say whether the leader moved", () => {
    const moved = classifyPartition(
      "a",
      1,
      answer({ errorCode: ErrorCodes.NOT_LEADER_OR_FOLLOWER }),
    );
    assert.ok(moved.kind === "retriable" && moved.leaderMoved);
    assert.equal(moved.error.context.partition, 1);
    const busy = classifyPartition("a", 1, answer({ errorCode: ErrorCodes.NOT_ENOUGH_REPLICAS }));
    assert.ok(busy.kind === "retriable" && !busy.leaderMoved);
  });

  test("lost producer state asks for an epoch bump", () => {
    for (const code of [ErrorCodes.UNKNOWN_PRODUCER_ID, ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER]) {
      const o = classifyPartition("a", 0, answer({ errorCode: code }));
      assert.equal(o.kind, "producerStateLost");
    }
  });

  test("fenced producers and bad batches are fatal, with the broker's message", () => {
    for (
      const code of [
        ErrorCodes.INVALID_PRODUCER_EPOCH,
        ErrorCodes.PRODUCER_FENCED,
        ErrorCodes.MESSAGE_TOO_LARGE,
        ErrorCodes.TOPIC_AUTHORIZATION_FAILED,
      ]
    ) {
      const o = classifyPartition("a", 0, answer({ errorCode: code, errorMessage: "no" }));
      assert.equal(o.kind, "fatal", String(code));
      assert.equal(o.kind === "fatal" && o.error.context.brokerMessage, "no");
    }
  });

  test("a partition the answer leaves out is missing (retriable)", () => {
    const o = classifyPartition("a", 7, undefined);
    assert.ok(o.kind === "missing" && o.error instanceof MissingAnswerError);
    assert.equal(o.error.retriable, true);
    assert.match(o.error.message, /a\/7/);
  });

  test("a whole answer is matched by topic name, or by topic id (v13)", () => {
    const sent = [batch("a", TOPIC_A, 0), batch("b", TOPIC_B, 1), batch("b", TOPIC_B, 2)];
    const outcomes = classifyProduceResponse({
      throttleTimeMs: 0,
      nodeEndpoints: [],
      responses: [
        { name: "a", topicId: "", partitionResponses: [answer({ index: 0, baseOffset: 5n })] },
        {
          name: "",
          topicId: TOPIC_B,
          partitionResponses: [answer({ index: 1, errorCode: ErrorCodes.UNKNOWN_PRODUCER_ID })],
        },
      ],
    }, sent);
    assert.deepEqual(outcomes.map((o) => o.kind), ["written", "producerStateLost", "missing"]);
  });
});
