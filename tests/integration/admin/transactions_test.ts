// Transactions and producers: a transaction is opened by hand through the generated APIs
// (InitProducerId, AddPartitionsToTxn, a transactional Produce) and never committed, so it
// hangs; the admin calls must see it, and abortTransaction must end it at the partition
// (KIP-664) so that the last stable offset moves past it.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, Dialer, dialLeader, errorForCode, KafkaError } from "../../../mod.ts";
import {
  AddPartitionsToTxn,
  EndTxn,
  InitProducerId,
  ListOffsets,
} from "../../../src/protocol/generated/index.ts";
import { kafkaEnv, RUNTIME } from "../../_env.ts";
import { adminClient, uniqueName } from "./_admin.ts";

/** The partition's last stable offset: what read_committed readers may read up to. */
async function lastStableOffset(admin: Client, topic: string): Promise<number> {
  const res = await admin.request(ListOffsets, {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  }, { route: { to: "leader", topic, partition: 0 } });
  const p = res.topics[0].partitions[0];
  const err = errorForCode(p.errorCode, { api: "ListOffsets", topic });
  if (err) throw err;
  return Number(p.offset);
}

/** Opens a transaction writing `values` to partition 0 of `topic`, and leaves it open. */
async function hangingTransaction(
  admin: Client,
  transactionalId: string,
  topic: string,
  values: string[],
): Promise<{ producerId: bigint; producerEpoch: number }> {
  const init = await admin.request(InitProducerId, {
    transactionalId,
    transactionTimeoutMs: 120_000,
  }, { key: transactionalId, errorCode: (r) => r.errorCode });
  const initError = errorForCode(init.errorCode, { api: "InitProducerId" });
  if (initError) throw initError;
  const { producerId, producerEpoch } = init;
  const added = await admin.request(AddPartitionsToTxn, {
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: producerId,
    v3AndBelowProducerEpoch: producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions: [0] }],
  }, { key: transactionalId, maxVersion: 3 });
  for (const t of added.resultsByTopicV3AndBelow) {
    for (const p of t.resultsByPartition) {
      const err = errorForCode(p.partitionErrorCode, { api: "AddPartitionsToTxn" });
      if (err) throw err;
    }
  }
  // The transactional id goes with every Produce request of this connection.
  const address = kafkaEnv("KAFKA_BROKERS").split(",")[0];
  await using writer = await new Dialer({ transactionalId }).dialLeader(address, topic, 0);
  await writer.writeMessages(values.map((value) => ({ value })), {
    producerId,
    producerEpoch,
    baseSequence: 0,
    transactional: true,
  });
  return { producerId, producerEpoch };
}

describe(`admin: transactions and producers (${RUNTIME})`, () => {
  test("a hanging transaction is listed, described, seen at its partition, aborted", async () => {
    await using admin = adminClient();
    const topic = uniqueName("txn");
    const transactionalId = `${topic}-producer`;
    const address = kafkaEnv("KAFKA_BROKERS").split(",")[0];
    {
      // Creates the topic, and one record outside any transaction.
      await using conn = await dialLeader(address, topic, 0);
      await conn.writeMessages([{ value: "plain" }]);
    }
    const t0 = Date.now();
    const { producerId, producerEpoch } = await hangingTransaction(
      admin,
      transactionalId,
      topic,
      ["open-1", "open-2"],
    );
    try {
      // The open transaction (offsets 1 and 2) holds the last stable offset at its start.
      assert.equal(await lastStableOffset(admin, topic), 1);

      const ongoing = await admin.listTransactions({ states: ["Ongoing"] });
      const listed = ongoing.find((t) => t.transactionalId === transactionalId);
      const [broker] = (await admin.describeCluster()).brokers;
      assert.deepEqual(listed, {
        transactionalId,
        producerId,
        state: "Ongoing",
        coordinatorId: broker.nodeId,
      });
      assert.deepEqual(await admin.listTransactions({ producerIds: [producerId] }), [listed]);
      assert.deepEqual(
        await admin.listTransactions({ producerIds: [producerId], states: ["PrepareCommit"] }),
        [],
      );
      // Running for longer than an hour: not this one; for longer than 1 ms: this one.
      assert.deepEqual(
        await admin.listTransactions({ producerIds: [producerId], durationFilter: 3_600_000 }),
        [],
      );
      assert.deepEqual(
        await admin.listTransactions({ producerIds: [producerId], durationFilter: 1 }),
        [listed],
      );

      const missingId = uniqueName("txn-missing");
      const [described, missing] = await admin.describeTransactions([transactionalId, missingId]);
      assert.equal(described.error, undefined);
      assert.deepEqual({ ...described, startTime: undefined }, {
        transactionalId,
        coordinatorId: broker.nodeId,
        state: "Ongoing",
        producerId,
        producerEpoch,
        timeoutMs: 120_000,
        startTime: undefined,
        partitions: [{ topic, partition: 0 }],
      });
      assert.ok(described.startTime!.getTime() >= t0 - 1_000, String(described.startTime));
      assert.equal(missing.transactionalId, missingId);
      assert.ok(missing.error instanceof KafkaError);
      assert.equal(missing.error.errorName, "TRANSACTIONAL_ID_NOT_FOUND");

      const [producers, noPartition] = await admin.describeProducers([
        { topic, partition: 0 },
        { topic, partition: 7 },
      ]);
      assert.equal(producers.error, undefined);
      const mine = producers.producers.find((p) => p.producerId === producerId);
      assert.deepEqual({ ...mine, lastTimestamp: undefined }, {
        producerId,
        producerEpoch,
        lastSequence: 1,
        lastTimestamp: undefined,
        coordinatorEpoch: null,
        currentTxnStartOffset: 1,
      });
      assert.ok(mine!.lastTimestamp!.getTime() >= t0 - 1_000);
      assert.equal(noPartition.partition, 7);
      assert.ok(noPartition.error instanceof KafkaError, String(noPartition.error));
      assert.equal(noPartition.error.errorName, "UNKNOWN_TOPIC_OR_PARTITION");

      // The way kafka-transactions aborts it: from the producer the partition reports.
      await admin.abortTransaction({ topic, partition: 0, ...mine! });
      // The abort marker is offset 3: everything before it is now stable.
      assert.equal(await lastStableOffset(admin, topic), 4);
      const [after] = await admin.describeProducers([{ topic, partition: 0 }]);
      const ended = after.producers.find((p) => p.producerId === producerId);
      assert.equal(ended?.currentTxnStartOffset, null);
      assert.equal(ended?.coordinatorEpoch, 0);
      // Aborting again is harmless: no transaction is open for the producer any more.
      await admin.abortTransaction({ topic, partition: 0, ...mine! });
      assert.equal(await lastStableOffset(admin, topic), 5);
    } finally {
      // Ends the transaction at its coordinator too (it would otherwise time out later).
      await admin.request(
        EndTxn,
        { transactionalId, producerId, producerEpoch, committed: false },
        {
          key: transactionalId,
        },
      );
    }
  });

  test("bad input is a TypeError or RangeError naming the field, before sending", async () => {
    await using admin = new Client({ brokers: "127.0.0.1:1", timeout: 2_000 });
    await assert.rejects(
      admin.listTransactions({ states: ["Ongoing", "Running" as never] }),
      (e) => e instanceof TypeError && /states\[1\] must be one of Empty, Ongoing/.test(e.message),
    );
    await assert.rejects(
      admin.listTransactions({ producerIds: [5 as never] }),
      (e) => e instanceof TypeError && /producerIds\[0\] must be a non-negative/.test(e.message),
    );
    await assert.rejects(
      admin.listTransactions({ durationFilter: -5 }),
      (e) => e instanceof RangeError && /durationFilter/.test(e.message),
    );
    await assert.rejects(
      admin.describeTransactions(["ok", ""]),
      (e) => e instanceof TypeError && /transactionalIds\[1\]/.test(e.message),
    );
    await assert.rejects(
      admin.describeProducers([{ topic: "t", partition: -1 }]),
      (e) => e instanceof RangeError && /partitions\[0\]\.partition/.test(e.message),
    );
    const spec = { topic: "t", partition: 0, producerId: 1n, producerEpoch: 0 };
    await assert.rejects(
      admin.abortTransaction({ ...spec, producerId: -1n }),
      (e) => e instanceof TypeError && /spec\.producerId/.test(e.message),
    );
    await assert.rejects(
      admin.abortTransaction({ ...spec, producerEpoch: 40_000 }),
      (e) => e instanceof RangeError && /spec\.producerEpoch/.test(e.message),
    );
    await assert.rejects(
      admin.abortTransaction({ ...spec, coordinatorEpoch: -2 }),
      (e) => e instanceof RangeError && /spec\.coordinatorEpoch/.test(e.message),
    );
    await assert.rejects(
      admin.abortTransaction({ ...spec, topic: "" }),
      (e) => e instanceof TypeError && /spec\.topic/.test(e.message),
    );
    assert.deepEqual(await admin.describeTransactions([]), []);
    assert.deepEqual(await admin.describeProducers([]), []);
  });
});
