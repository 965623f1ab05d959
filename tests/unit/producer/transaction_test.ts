// The transactional Writer's state machine against the in-memory broker: which requests each
// protocol version sends and when, the epochs and sequence numbers batches carry, retries of
// CONCURRENT_TRANSACTIONS, and which failures leave the transaction abortable and which end
// the Writer.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  AbortableTransactionError,
  FatalTransactionError,
  ProducerFencedError,
  TransactionStateError,
  UnsupportedVersionError,
  Writer,
  type WriterConfig,
} from "../../../mod.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import {
  AddOffsetsToTxn,
  type AddOffsetsToTxnRequest,
} from "../../../src/protocol/generated/add_offsets_to_txn.ts";
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnRequest,
} from "../../../src/protocol/generated/add_partitions_to_txn.ts";
import { ApiVersions } from "../../../src/protocol/generated/api_versions.ts";
import { EndTxn, type EndTxnRequest } from "../../../src/protocol/generated/end_txn.ts";
import { InitProducerId } from "../../../src/protocol/generated/init_producer_id.ts";
import { Produce } from "../../../src/protocol/generated/produce.ts";
import {
  TxnOffsetCommit,
  type TxnOffsetCommitRequest,
} from "../../../src/protocol/generated/txn_offset_commit.ts";
import { RawBody } from "../_fake_broker.ts";
import { ProduceKafka } from "../_fake_produce.ts";

const TXN_ID = "tx-1";
const values = (...vs: string[]) => vs.map((value) => ({ value }));
const group = { groupId: "g", generationId: 3, memberId: "m-1", groupInstanceId: null };

/**
 * A fake cluster with a transaction coordinator (node 1) and a group coordinator: the
 * transaction APIs answer what `endTxnCodes` (then 0) say, and record what they were asked.
 */
class TxnKafka extends ProduceKafka {
  readonly added: AddPartitionsToTxnRequest[] = [];
  readonly ended: (EndTxnRequest & { version: number })[] = [];
  readonly offsetsAdded: AddOffsetsToTxnRequest[] = [];
  readonly offsetCommits: (TxnOffsetCommitRequest & { version: number })[] = [];
  /** Error codes the next EndTxn requests answer, one each. */
  endTxnCodes: number[] = [];
  /** Error code of every TxnOffsetCommit partition. */
  txnOffsetCommitCode = 0;
  /** Error code InitProducerId answers. */
  initCode = 0;

  constructor(transactionVersion: number) {
    super(1);
    this.createTopic("t", 2);
    this.coordinators.set(`transaction/${TXN_ID}`, 1);
    this.coordinators.set("group/g", 1);
    const versions = this.handler(ApiVersions);
    this.on(ApiVersions, async (req, ctx) => {
      const res = await versions(req, ctx);
      if (res instanceof RawBody) return res;
      return {
        ...res,
        finalizedFeatures: [{
          name: "transaction.version",
          minVersionLevel: transactionVersion,
          maxVersionLevel: transactionVersion,
        }],
      };
    });
    const init = this.handler(InitProducerId);
    this.on(InitProducerId, async (req, ctx) => {
      const res = await init(req, ctx);
      return this.initCode && !(res instanceof RawBody)
        ? { ...res, errorCode: this.initCode }
        : res;
    });
    this.on(AddPartitionsToTxn, (req) => {
      this.added.push(req);
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        resultsByTransaction: [],
        resultsByTopicV3AndBelow: (req.v3AndBelowTopics ?? []).map((t) => ({
          name: t.name ?? "",
          resultsByPartition: (t.partitions ?? []).map((p) => ({
            partitionIndex: p,
            partitionErrorCode: 0,
          })),
        })),
      };
    });
    this.on(EndTxn, (req, ctx) => {
      this.ended.push({ ...req, version: ctx.version });
      const errorCode = this.endTxnCodes.shift() ?? 0;
      // v2: every transaction's end bumps the epoch, and the answer names the next one.
      return {
        throttleTimeMs: 0,
        errorCode,
        producerId: req.producerId!,
        producerEpoch: errorCode === 0 ? req.producerEpoch! + 1 : -1,
      };
    });
    this.on(AddOffsetsToTxn, (req) => {
      this.offsetsAdded.push(req);
      return { throttleTimeMs: 0, errorCode: 0 };
    });
    this.on(TxnOffsetCommit, (req, ctx) => {
      this.offsetCommits.push({ ...req, version: ctx.version });
      return {
        throttleTimeMs: 0,
        topics: (req.topics ?? []).map((t) => ({
          name: t.name ?? "",
          partitions: (t.partitions ?? []).map((p) => ({
            partitionIndex: p.partitionIndex ?? 0,
            errorCode: this.txnOffsetCommitCode,
          })),
        })),
      };
    });
  }
}

function writer(kafka: TxnKafka, config: Partial<WriterConfig> = {}): Writer {
  return new Writer({
    brokers: kafka.brokers,
    connect: kafka.connect,
    topic: "t",
    transactionalId: TXN_ID,
    writeBackoffMin: 1,
    writeBackoffMax: 5,
    ...config,
  });
}

const keyed = (partition: number, value: string) => ({ partition, value });

describe("transactional Writer (in-memory broker)", () => {
  test("v1: each partition joins the transaction once, before its first batch", async () => {
    const kafka = new TxnKafka(1);
    await using w = writer(kafka);
    await w.beginTransaction();
    await w.writeMessages([keyed(0, "a"), keyed(1, "b")]);
    await w.writeMessages([keyed(0, "c")]);
    await w.commitTransaction();
    assert.equal(kafka.added.length, 1, "one AddPartitionsToTxn for both partitions");
    assert.deepEqual(kafka.added[0].v3AndBelowTopics, [{ name: "t", partitions: [0, 1] }]);
    assert.ok(kafka.requests("AddPartitionsToTxn").every((r) => r.version <= 3));
    assert.ok(kafka.produces.every((p) => p.version <= 11), "v1 Produce is at most v11");
    assert.equal(kafka.ended.length, 1);
    assert.equal(kafka.ended[0].committed, true);
    assert.ok(kafka.ended[0].version <= 4);
    // The next transaction adds its partitions again; the epoch stays.
    await w.transaction((tx) => tx.writeMessages([keyed(1, "d")]));
    assert.equal(kafka.added.length, 2);
    assert.deepEqual(kafka.added[1].v3AndBelowTopics, [{ name: "t", partitions: [1] }]);
    const epochs = new Set(kafka.log("t", 1).map((b) => b.producerEpoch));
    assert.deepEqual([...epochs], [0]);
    assert.deepEqual(kafka.log("t", 1).map((b) => b.baseSequence), [0, 1]);
  });

  test("v2: no AddPartitionsToTxn; each transaction writes with the epoch EndTxn returned", async () => {
    const kafka = new TxnKafka(2);
    await using w = writer(kafka);
    await w.transaction((tx) => tx.writeMessages([keyed(0, "a")]));
    await w.transaction((tx) => tx.writeMessages([keyed(0, "b")]));
    assert.equal(kafka.added.length, 0);
    assert.ok(kafka.produces.every((p) => p.version >= 12), "v2 Produce is v12+");
    assert.deepEqual(kafka.ended.map((e) => [e.version, e.producerEpoch]), [[5, 0], [5, 1]]);
    // A new epoch starts the partition's sequence numbers again.
    assert.deepEqual(
      kafka.log("t", 0).map((b) => [b.producerEpoch, b.baseSequence]),
      [[0, 0], [1, 0]],
    );
  });

  test("forcing v2 on brokers without its API versions (Kafka 3.x) is refused before anything is sent", async () => {
    const kafka = new TxnKafka(0);
    for (const [api, max] of [[Produce, 11], [EndTxn, 4], [TxnOffsetCommit, 4]] as const) {
      kafka.node(1).maxVersion.set(api.key, max);
    }
    await using w = writer(kafka, { transactionVersion: 2 });
    await assert.rejects(
      w.beginTransaction(),
      (e) =>
        e instanceof UnsupportedVersionError &&
        /Produce v12\+, TxnOffsetCommit v5\+, EndTxn v5\+/.test(e.message),
    );
    assert.equal(kafka.requests("InitProducerId").length, 0);
    assert.equal(kafka.produces.length, 0);
    // Forcing v1 on the same cluster works.
    await using v1 = writer(kafka, { transactionVersion: 1 });
    await v1.transaction((tx) => tx.writeMessages([keyed(0, "a")]));
    assert.equal(kafka.added.length, 1);
  });

  test("a transaction that reached no broker ends without EndTxn", async () => {
    const kafka = new TxnKafka(2);
    await using w = writer(kafka);
    await w.beginTransaction();
    await w.commitTransaction();
    await w.beginTransaction();
    await w.abortTransaction();
    assert.equal(kafka.ended.length, 0);
  });

  test("CONCURRENT_TRANSACTIONS and a loading coordinator are retried", async () => {
    const kafka = new TxnKafka(2);
    kafka.endTxnCodes = [
      ErrorCodes.CONCURRENT_TRANSACTIONS,
      ErrorCodes.COORDINATOR_LOAD_IN_PROGRESS,
    ];
    await using w = writer(kafka);
    await w.transaction((tx) => tx.writeMessages([keyed(0, "a")]));
    assert.equal(kafka.ended.length, 3);
  });

  test("writes outside a transaction are refused before anything is sent", async () => {
    const kafka = new TxnKafka(2);
    await using w = writer(kafka);
    await assert.rejects(w.writeMessages(values("x")), TransactionStateError);
    await assert.rejects(
      w.sendOffsets([{ topic: "t", partition: 0, offset: 1 }], group),
      TransactionStateError,
    );
    assert.equal(kafka.produces.length, 0);
  });

  test("a failed batch leaves the transaction abortable; v1 takes a new epoch after the abort (KIP-360)", async () => {
    const kafka = new TxnKafka(1);
    let fail = true;
    kafka.onProduce = () => {
      if (!fail) return;
      fail = false;
      return { errorCode: ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER };
    };
    await using w = writer(kafka);
    await w.beginTransaction();
    await assert.rejects(w.writeMessages([keyed(0, "lost")]));
    const commit = await w.commitTransaction().then(() => undefined, (e) => e);
    assert.ok(commit instanceof AbortableTransactionError, `got ${commit}`);
    assert.match(commit.message, /must be aborted/);
    await assert.rejects(w.writeMessages([keyed(0, "more")]), AbortableTransactionError);
    await w.abortTransaction();
    assert.deepEqual(kafka.ended.map((e) => e.committed), [false]);
    // The renewal names the current id and epoch, so only this producer can take the next.
    const last = kafka.initProducerIds.at(-1)!;
    assert.equal(last.producerEpoch, 0);
    assert.ok(last.producerId >= 0n);
    await w.transaction((tx) => tx.writeMessages([keyed(0, "ok")]));
    assert.deepEqual(
      kafka.log("t", 0).map((b) => [b.producerEpoch, b.baseSequence]),
      [[1, 0]],
    );
  });

  test("OUT_OF_ORDER behind a batch being retried is its echo: retried, the transaction commits", async () => {
    const kafka = new TxnKafka(2);
    const failed = new Set<number>();
    kafka.onProduce = (_t, _p, batch) => {
      if (failed.has(batch.baseSequence)) return;
      failed.add(batch.baseSequence);
      // The first batch is refused retriably; the one in flight behind it sees a gap.
      return batch.baseSequence === 0
        ? { errorCode: ErrorCodes.NOT_LEADER_OR_FOLLOWER }
        : { errorCode: ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER };
    };
    await using w = writer(kafka, { batchSize: 1, maxInFlight: 5 });
    await w.transaction((tx) => tx.writeMessages([keyed(0, "a"), keyed(0, "b")]));
    assert.deepEqual(await kafka.values("t", 0), ["a", "b"]);
    assert.deepEqual(kafka.ended.map((e) => e.committed), [true]);
  });

  test("PRODUCER_FENCED at commit ends the Writer with ProducerFencedError", async () => {
    const kafka = new TxnKafka(2);
    kafka.endTxnCodes = [ErrorCodes.PRODUCER_FENCED];
    await using w = writer(kafka);
    await w.beginTransaction();
    await w.writeMessages([keyed(0, "a")]);
    const err = await w.commitTransaction().then(() => undefined, (e) => e);
    assert.ok(err instanceof ProducerFencedError, `got ${err}`);
    assert.ok(err instanceof FatalTransactionError);
    assert.equal(err.transactionalId, TXN_ID);
    await assert.rejects(w.beginTransaction(), ProducerFencedError);
    await assert.rejects(w.abortTransaction(), ProducerFencedError);
  });

  test("INVALID_PRODUCER_EPOCH on a batch is fatal, not abortable", async () => {
    const kafka = new TxnKafka(2);
    kafka.onProduce = () => ({ errorCode: ErrorCodes.INVALID_PRODUCER_EPOCH });
    await using w = writer(kafka);
    await w.beginTransaction();
    await assert.rejects(w.writeMessages([keyed(0, "a")]));
    await assert.rejects(w.commitTransaction(), ProducerFencedError);
  });

  test("TRANSACTIONAL_ID_AUTHORIZATION_FAILED at the first transaction is fatal", async () => {
    const kafka = new TxnKafka(2);
    kafka.initCode = ErrorCodes.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    await using w = writer(kafka);
    const err = await w.beginTransaction().then(() => undefined, (e) => e);
    assert.ok(err instanceof FatalTransactionError, `got ${err}`);
    assert.ok(!(err instanceof ProducerFencedError));
    assert.match(err.message, /TRANSACTIONAL_ID_AUTHORIZATION_FAILED/);
  });

  test("sendOffsets: v1 adds the group to the transaction once; the member goes with the offsets", async () => {
    const kafka = new TxnKafka(1);
    await using w = writer(kafka);
    await w.transaction(async (tx) => {
      await tx.sendOffsets([{ topic: "t", partition: 0, offset: 5 }], group);
      await tx.sendOffsets([{ topic: "t", partition: 1, offset: 7 }], group);
    });
    assert.equal(kafka.offsetsAdded.length, 1);
    assert.equal(kafka.offsetsAdded[0].groupId, "g");
    assert.equal(kafka.offsetCommits.length, 2);
    const c = kafka.offsetCommits[0];
    assert.ok(c.version <= 4);
    assert.deepEqual([c.generationId, c.memberId, c.groupInstanceId], [3, "m-1", null]);
    assert.equal(c.topics![0].partitions![0].committedOffset, 5n);
    assert.equal(kafka.ended.length, 1);
  });

  test("sendOffsets: v2 needs no AddOffsetsToTxn; a stale member makes the transaction abortable", async () => {
    const kafka = new TxnKafka(2);
    await using w = writer(kafka);
    await w.transaction((tx) => tx.sendOffsets([{ topic: "t", partition: 0, offset: 5 }], group));
    assert.equal(kafka.offsetsAdded.length, 0);
    assert.equal(kafka.offsetCommits[0].version, 5);
    kafka.txnOffsetCommitCode = ErrorCodes.ILLEGAL_GENERATION;
    await w.beginTransaction();
    const err = await w.sendOffsets([{ topic: "t", partition: 0, offset: 6 }], group).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(err instanceof AbortableTransactionError, `got ${err}`);
    await w.abortTransaction();
  });

  test("sendOffsets checks its arguments before sending", async () => {
    const kafka = new TxnKafka(2);
    await using w = writer(kafka);
    await w.beginTransaction();
    await assert.rejects(
      w.sendOffsets([{ topic: "t", partition: 0, offset: -1 }], group),
      /offsets\[0\]\.offset/,
    );
    await assert.rejects(
      w.sendOffsets([{ topic: "t", partition: 0, offset: 1 }], { ...group, groupId: "" }),
      /groupId/,
    );
    assert.equal(kafka.offsetCommits.length, 0);
  });

  test("transaction(fn) aborts when fn throws, and rethrows", async () => {
    const kafka = new TxnKafka(2);
    await using w = writer(kafka);
    const boom = new Error("boom");
    await assert.rejects(
      w.transaction(async (tx) => {
        await tx.writeMessages([keyed(0, "a")]);
        throw boom;
      }),
      (e) => e === boom,
    );
    assert.deepEqual(kafka.ended.map((e) => e.committed), [false]);
    assert.equal(w.inTransaction, false);
  });

  test("close() aborts an open transaction", async () => {
    const kafka = new TxnKafka(2);
    const w = writer(kafka);
    await w.beginTransaction();
    await w.writeMessages([keyed(0, "a")]);
    await w.close();
    assert.deepEqual(kafka.ended.map((e) => e.committed), [false]);
  });
});
