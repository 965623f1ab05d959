// read_committed against markers the broker really writes: a transaction is driven by hand
// through the generated APIs (the transactional producer comes with the Writer), aborted
// once and committed once, and Conn.readBatch must show each isolation level's view.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Conn, Dialer, dialLeader, errorForCode, Reader, SeekAbsolute } from "../../mod.ts";
import { Connection } from "../../src/core.ts";
import {
  AddPartitionsToTxn,
  EndTxn,
  FindCoordinator,
  InitProducerId,
} from "../../src/protocol/generated/index.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const dec = new TextDecoder();

function check(code: number, api: string): void {
  const err = errorForCode(code, { api });
  if (err) throw err;
}

/**
 * Runs one transaction writing `values` to partition 0 of `topic` through `conn` (dialed with
 * `transactionalId`), then commits or aborts it.
 */
async function transaction(
  conn: Conn,
  transactionalId: string,
  topic: string,
  values: string[],
  commit: boolean,
): Promise<void> {
  // The first transaction creates the transaction state topic: retry while it loads.
  let c = { errorCode: -1, host: "", port: 0 };
  for (let i = 0; i < 100; i++) {
    const found = await conn.connection.request(FindCoordinator, {
      key: transactionalId,
      keyType: 1,
      coordinatorKeys: [transactionalId],
    });
    c = found.coordinators[0] ?? found;
    if (!errorForCode(c.errorCode)?.retriable) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  check(c.errorCode, "FindCoordinator");
  await using coordinator = await Connection.connect({ host: c.host, port: c.port });
  // Until the previous transaction's markers are written, the coordinator answers
  // CONCURRENT_TRANSACTIONS (retriable).
  let init = await coordinator.request(InitProducerId, {
    transactionalId,
    transactionTimeoutMs: 60_000,
  });
  for (let i = 0; i < 100 && errorForCode(init.errorCode)?.retriable; i++) {
    await new Promise((r) => setTimeout(r, 100));
    init = await coordinator.request(InitProducerId, {
      transactionalId,
      transactionTimeoutMs: 60_000,
    });
  }
  check(init.errorCode, "InitProducerId");
  const { producerId, producerEpoch } = init;
  const added = await coordinator.request(AddPartitionsToTxn, {
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: producerId,
    v3AndBelowProducerEpoch: producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions: [0] }],
  }, { version: 3 });
  for (const t of added.resultsByTopicV3AndBelow) {
    for (const p of t.resultsByPartition) check(p.partitionErrorCode, "AddPartitionsToTxn");
  }
  await conn.writeMessages(values.map((value) => ({ value })), {
    producerId,
    producerEpoch,
    baseSequence: 0,
    transactional: true,
  });
  const ended = await coordinator.request(EndTxn, {
    transactionalId,
    producerId,
    producerEpoch,
    committed: commit,
  });
  check(ended.errorCode, "EndTxn");
}

async function readValues(
  conn: Conn,
  isolationLevel: "read_committed" | "read_uncommitted",
  until: number,
): Promise<string[]> {
  await conn.seek(0, SeekAbsolute);
  const values: string[] = [];
  for (let i = 0; i < 20 && conn.offset().offset < until; i++) {
    const batch = await conn.readBatchWith({ maxBytes: 1 << 20, isolationLevel, timeout: 2_000 });
    for await (const m of batch) values.push(dec.decode(m.value!));
  }
  assert.equal(conn.offset().offset, until, "the reader moved past every record and marker");
  return values;
}

describe(`read_committed with real transaction markers (${RUNTIME})`, () => {
  test("aborted records and control markers are hidden from read_committed only", async () => {
    const address = kafkaEnv("KAFKA_BROKERS").split(",")[0];
    const topic = `kafkit-txn-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    const transactionalId = `${topic}-producer`;
    await using conn = await dialLeader(address, topic, 0);
    // The transactional id goes with every Produce request of the writer's connection.
    await using writer = await new Dialer({ transactionalId }).dialLeader(address, topic, 0);
    await conn.writeMessages([{ value: "plain-1" }]);
    await transaction(writer, transactionalId, topic, ["aborted-1", "aborted-2"], false);
    await transaction(writer, transactionalId, topic, ["committed-1"], true);
    await conn.writeMessages([{ value: "plain-2" }]);
    // 1 plain + 2 aborted + abort marker + 1 committed + commit marker + 1 plain. EndTxn
    // returns before the coordinator has written the markers, so wait for the last one.
    let end = await conn.readLastOffset();
    for (let i = 0; i < 100 && end < 7; i++) {
      await new Promise((r) => setTimeout(r, 50));
      end = await conn.readLastOffset();
    }
    assert.equal(end, 7);
    assert.deepEqual(await readValues(conn, "read_committed", end), [
      "plain-1",
      "committed-1",
      "plain-2",
    ]);
    assert.deepEqual(await readValues(conn, "read_uncommitted", end), [
      "plain-1",
      "aborted-1",
      "aborted-2",
      "committed-1",
      "plain-2",
    ]);

    // The Reader's fetcher applies the same rules, in a group too.
    for (const groupId of [undefined, `${topic}-g`]) {
      await using reader = new Reader({
        brokers: [address],
        topic,
        groupId,
        isolationLevel: "read_committed",
        maxWait: 100,
      });
      const got: string[] = [];
      for (let i = 0; i < 3; i++) got.push(dec.decode((await reader.readMessage()).value!));
      assert.deepEqual(got, ["plain-1", "committed-1", "plain-2"]);
    }
    await using partition = new Reader({ brokers: [address], topic, maxWait: 100 });
    const all: string[] = [];
    let last = -1;
    for (let i = 0; i < 5; i++) {
      const m = await partition.readMessage();
      all.push(dec.decode(m.value!));
      last = m.offset;
    }
    assert.deepEqual(all, ["plain-1", "aborted-1", "aborted-2", "committed-1", "plain-2"]);
    assert.equal(partition.offset, last + 1);
    // Only a commit marker can follow plain-2 (EndTxn returns before markers are written).
    assert.equal(await partition.readLag(), end - last - 1);
  });
});
