// Transactions across several brokers, a coordinator that moved, the abort marker's fields,
// and a filter older brokers would drop, against in-memory brokers (the real broker's view is
// in tests/integration/admin/transactions_test.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, KafkaError, UnsupportedVersionError } from "../../../mod.ts";
import {
  defaultDescribeTransactionsResponseTransactionState,
  DescribeTransactions,
} from "../../../src/protocol/generated/describe_transactions.ts";
import {
  defaultListTransactionsResponse,
  ListTransactions,
  type ListTransactionsRequest,
} from "../../../src/protocol/generated/list_transactions.ts";
import {
  WriteTxnMarkers,
  type WriteTxnMarkersRequest,
} from "../../../src/protocol/generated/write_txn_markers.ts";
import { FakeKafka, withCluster } from "../_fake_broker.ts";

describe("admin transactions on the wire", () => {
  test("listTransactions asks every broker and merges, naming each coordinator", async () => {
    const fake = new FakeKafka([1, 2]);
    fake.on(ListTransactions, (_req, { node }) => ({
      ...defaultListTransactionsResponse(),
      transactionStates: [{
        transactionalId: `tx-${node.id}`,
        producerId: BigInt(node.id * 10),
        transactionState: node.id === 1 ? "Ongoing" : "SomeFutureState",
      }],
    }));
    await withCluster(fake, async (cluster) => {
      const listed = await new Client({ cluster }).listTransactions({
        states: ["Ongoing", "PrepareAbort"],
        producerIds: [10n, 20n],
        durationFilter: 5_000,
      });
      assert.deepEqual(listed.sort((a, b) => a.coordinatorId - b.coordinatorId), [
        { transactionalId: "tx-1", producerId: 10n, state: "Ongoing", coordinatorId: 1 },
        { transactionalId: "tx-2", producerId: 20n, state: "Unknown", coordinatorId: 2 },
      ]);
      const sent = fake.requests("ListTransactions");
      assert.deepEqual(sent.map((r) => r.nodeId).sort(), [1, 2]);
      assert.deepEqual(sent[0].body as ListTransactionsRequest, {
        stateFilters: ["Ongoing", "PrepareAbort"],
        producerIdFilters: [10n, 20n],
        durationFilter: 5_000n,
        transactionalIdPattern: null,
      });
    });
  });

  test("a broker without ListTransactions v1 refuses durationFilter before sending", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).maxVersion.set(ListTransactions.key, 0);
    fake.on(ListTransactions, () => defaultListTransactionsResponse());
    await withCluster(fake, async (cluster) => {
      const admin = new Client({ cluster });
      await assert.rejects(
        admin.listTransactions({ durationFilter: 1_000 }),
        (e) =>
          e instanceof UnsupportedVersionError &&
          /durationFilter needs ListTransactions v1/.test(e.message),
      );
      assert.equal(fake.requests("ListTransactions").length, 0);
      // Without the filter, v0 does.
      assert.deepEqual(await admin.listTransactions(), []);
      assert.deepEqual(fake.requests("ListTransactions").map((r) => r.version), [0]);
    });
  });

  test("describeTransactions follows a coordinator that moved", async () => {
    const fake = new FakeKafka([1, 2]);
    fake.coordinators.set("transaction/tx", 1);
    fake.on(DescribeTransactions, (req, { node }) => {
      if (node.id === 1) fake.coordinators.set("transaction/tx", 2);
      return {
        throttleTimeMs: 0,
        transactionStates: (req.transactionalIds ?? []).map((transactionalId) => ({
          ...defaultDescribeTransactionsResponseTransactionState(),
          transactionalId,
          errorCode: node.id === 1 ? 16 : 0, // NOT_COORDINATOR
          transactionState: "Ongoing",
          transactionTimeoutMs: 60_000,
          transactionStartTimeMs: 1_700_000_000_000n,
          producerId: 7n,
          producerEpoch: 3,
          topics: [{ topic: "t", partitions: [0, 2] }],
        })),
      };
    });
    await withCluster(fake, async (cluster) => {
      const [d] = await new Client({ cluster }).describeTransactions(["tx"]);
      assert.deepEqual(d, {
        transactionalId: "tx",
        coordinatorId: 2,
        state: "Ongoing",
        producerId: 7n,
        producerEpoch: 3,
        timeoutMs: 60_000,
        startTime: new Date(1_700_000_000_000),
        partitions: [{ topic: "t", partition: 0 }, { topic: "t", partition: 2 }],
      });
      assert.deepEqual(fake.requests("DescribeTransactions").map((r) => r.nodeId), [1, 2]);
    });
  });

  test("abortTransaction writes one abort marker at the leader; its error is thrown", async () => {
    const fake = new FakeKafka([1, 2]);
    fake.createTopic("t", 2); // partition 1 is led by broker 2
    let code = 0;
    fake.on(WriteTxnMarkers, (req) => ({
      markers: (req.markers ?? []).map((m) => ({
        producerId: m.producerId ?? 0n,
        topics: (m.topics ?? []).map((t) => ({
          name: t.name ?? "",
          partitions: (t.partitionIndexes ?? []).map((partitionIndex) => ({
            partitionIndex,
            errorCode: code,
          })),
        })),
      })),
    }));
    await withCluster(fake, async (cluster) => {
      const admin = new Client({ cluster });
      const spec = { topic: "t", partition: 1, producerId: 9n, producerEpoch: 4 };
      await admin.abortTransaction({ ...spec, coordinatorEpoch: null });
      await admin.abortTransaction({ ...spec, coordinatorEpoch: 6 });
      const sent = fake.requests("WriteTxnMarkers");
      assert.deepEqual(sent.map((r) => r.nodeId), [2, 2]);
      const markers = sent.map((r) => (r.body as WriteTxnMarkersRequest).markers);
      assert.deepEqual(markers[0], [{
        producerId: 9n,
        producerEpoch: 4,
        transactionResult: false,
        topics: [{ name: "t", partitionIndexes: [1] }],
        coordinatorEpoch: 0,
        transactionVersion: 0,
      }]);
      assert.equal(markers[1]![0].coordinatorEpoch, 6);
      code = 47; // INVALID_PRODUCER_EPOCH
      await assert.rejects(
        admin.abortTransaction(spec),
        (e) =>
          e instanceof KafkaError && e.errorName === "INVALID_PRODUCER_EPOCH" &&
          /topic=t partition=1/.test(e.message),
      );
    });
  });
});
