// Log truncation (KIP-320) after an unclean leader election on the 3-node cluster: a reader
// reads records that only the leader had, the leader stops, the out-of-sync follower is
// elected uncleanly and takes new records at the same offsets. The reader must report the
// truncation (a LogTruncationError through onError, a log line) and read the new records from
// where the logs part: nothing skipped, nothing read again silently.
// Stops nodes: run the file under `flock /tmp/kafkit-cluster.lock`.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, LogTruncationError, Reader, throwIfFailed, Writer } from "../../mod.ts";
import { CreateTopics, DeleteTopics, Metadata } from "../../src/protocol/mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { eventually } from "../_eventually.ts";
import { harness } from "../_harness.ts";

const dec = new TextDecoder();

describe(`Reader log truncation on the 3-node cluster (${RUNTIME})`, () => {
  test("an unclean election truncates what the reader read: reported, then read from the divergence", async () => {
    const nodes = kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
    for (const node of [1, 2, 3]) await harness("start-node", String(node));
    const topic = `kafkit-truncation-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    const [leader, follower] = [2, 3];
    const admin = new Client({ brokers: nodes });
    const stopped = new Set<number>();
    const stop = async (n: number) => {
      stopped.add(n);
      await harness("stop-node", String(n));
    };
    const start = async (n: number) => {
      await harness("start-node", String(n));
      stopped.delete(n);
    };
    const partition = async () => {
      const meta = await admin.request(Metadata, { topics: [{ name: topic }] });
      const p = meta.topics[0].partitions[0];
      return { leader: p.leaderId, isr: p.isrNodes, epoch: p.leaderEpoch };
    };
    const produce = async (values: string[]) => {
      await using w = new Writer({ brokers: nodes, topic, maxAttempts: 20 });
      await w.writeMessages(values.map((value) => ({ value, partition: 0 })));
    };
    const errors: unknown[] = [];
    const logs: string[] = [];
    let reader: Reader | undefined;
    try {
      const created = await admin.request(CreateTopics, {
        topics: [{
          name: topic,
          numPartitions: -1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [leader, follower] }],
          // One in-sync replica is enough to write: the leader alone takes records.
          configs: [{ name: "min.insync.replicas", value: "1" }],
        }],
        timeoutMs: 15_000,
      });
      assert.equal(created.topics[0].errorCode, 0, created.topics[0].errorMessage ?? "");
      await eventually(async () => {
        const p = await partition();
        assert.deepEqual([p.leader, [...p.isr].sort()], [leader, [leader, follower]]);
      }, 60_000);
      await produce(Array.from({ length: 10 }, (_, i) => `old-${i}`));

      reader = new Reader({
        brokers: nodes,
        topic,
        maxWait: 200,
        readBackoffMax: 500,
        onError: (e) => errors.push(e),
        logger: (m) => logs.push(m),
      });
      const read = async (n: number) => {
        const out: string[] = [];
        while (out.length < n) {
          const m = await reader!.readMessage({ signal: AbortSignal.timeout(120_000) });
          out.push(`${m.offset}:${dec.decode(m.value!)}`);
        }
        return out;
      };
      assert.deepEqual(await read(10), Array.from({ length: 10 }, (_, i) => `${i}:old-${i}`));

      // The follower stops: offsets 10-19 exist on the leader only, and the reader reads them.
      await stop(follower);
      await eventually(async () => assert.deepEqual((await partition()).isr, [leader]), 60_000);
      await produce(Array.from({ length: 10 }, (_, i) => `lost-${10 + i}`));
      assert.deepEqual(
        await read(10),
        Array.from({ length: 10 }, (_, i) => `${10 + i}:lost-${10 + i}`),
      );
      const epochBefore = (await partition()).epoch;

      // The leader stops, the follower comes back and is elected although out of sync.
      await stop(leader);
      await start(follower);
      throwIfFailed(
        await admin.incrementalAlterConfigs([{
          type: "topic",
          name: topic,
          ops: [{ name: "unclean.leader.election.enable", op: "set", value: "true" }],
        }]),
      );
      await eventually(async () => {
        const [r] = await admin.electLeaders({
          type: "unclean",
          partitions: [{ topic, partition: 0 }],
        });
        if (r.error && !/ELECTION_NOT_NEEDED/.test(String(r.error))) throw r.error;
        assert.equal((await partition()).leader, follower);
      }, 60_000);
      assert.ok((await partition()).epoch > epochBefore);
      await produce(Array.from({ length: 5 }, (_, i) => `new-${10 + i}`));

      // Offsets 10-14 now hold other records: the reader goes on from 10, and says why.
      assert.deepEqual(
        await read(5),
        Array.from({ length: 5 }, (_, i) => `${10 + i}:new-${10 + i}`),
      );
      const truncations = errors.filter((e) => e instanceof LogTruncationError);
      assert.equal(truncations.length, 1, errors.map(String).join("\n"));
      const t = truncations[0] as LogTruncationError;
      assert.deepEqual([t.topic, t.partition, t.fetchOffset, t.divergingOffset], [
        topic,
        0,
        20,
        10,
      ]);
      assert.ok(
        logs.some((l) => l.includes(`log truncation in ${topic}/0`)),
        "the truncation is logged",
      );
      assert.equal(reader.offset, 15);
    } finally {
      await reader?.close();
      for (const n of stopped) await harness("start-node", String(n));
      await admin.request(DeleteTopics, { topicNames: [topic], timeoutMs: 15_000 }).catch(() => {});
      await admin.close();
    }
  });
});
