// Reassignments, preferred leader election, log dirs per broker and the metadata quorum on the
// 3-node cluster. One test stops node 3: run the file under `flock /tmp/kafkit-cluster.lock`.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, KafkaError, throwIfFailed } from "../../mod.ts";
import { CreateTopics, DeleteTopics, Metadata } from "../../src/protocol/mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";
import { eventually } from "../_eventually.ts";
import { javaTool } from "../_java.ts";
import { uniqueName } from "../integration/admin/_admin.ts";

/** Polls `check` until it returns a value (not undefined), or fails naming `what`. */
const until = <T>(what: string, check: () => Promise<T | undefined>): Promise<T> =>
  eventually(async () => {
    const value = await check();
    if (value === undefined) throw new Error(`timed out waiting for ${what}`);
    return value;
  }, 60_000);

describe(`admin: cluster operations on the 3-node cluster (${RUNTIME})`, () => {
  let admin: Client;
  const topic = uniqueName("reassign");

  /** Partition `p` of the topic as fresh Metadata shows it. */
  const partition = async (p: number) => {
    const meta = await admin.request(Metadata, { topics: [{ name: topic }] });
    const found = meta.topics[0].partitions.find((x) => x.partitionIndex === p)!;
    return { leader: found.leaderId, replicas: found.replicaNodes, isr: found.isrNodes };
  };

  /** Waits until the reassignment of `p` is over and its replicas are `replicas`. */
  const settled = (p: number, replicas: number[]) =>
    until(`partition ${p} on ${replicas}`, async () => {
      const ongoing = await admin.listPartitionReassignments([{ topic, partition: p }]);
      const now = await partition(p);
      const done = ongoing.length === 0 && now.isr.length === replicas.length &&
        JSON.stringify(now.replicas) === JSON.stringify(replicas);
      return done ? now : undefined;
    });

  before(async () => {
    for (const node of [1, 2, 3]) await harness("start-node", String(node));
    admin = new Client({ brokers: kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",") });
    const res = await admin.request(CreateTopics, {
      topics: [{
        name: topic,
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [
          { partitionIndex: 0, brokerIds: [1, 2] },
          { partitionIndex: 1, brokerIds: [2, 3] },
          { partitionIndex: 2, brokerIds: [1, 2] },
        ],
      }],
      timeoutMs: 15_000,
    });
    assert.equal(res.topics[0].errorCode, 0, res.topics[0].errorMessage ?? "");
    for (const [p, replicas] of [[0, [1, 2]], [1, [2, 3]], [2, [1, 2]]] as const) {
      const now = await settled(p, [...replicas]);
      assert.equal(now.leader, replicas[0], `partition ${p} starts on its preferred leader`);
    }
  });

  after(async () => {
    await admin.request(DeleteTopics, { topicNames: [topic], timeoutMs: 15_000 });
    await admin.close();
  });

  test("a partition moves to other brokers: the list empties, metadata and log dirs show it", async () => {
    throwIfFailed(
      await admin.alterPartitionReassignments([{ topic, partition: 0, replicas: [2, 3] }]),
    );
    const now = await settled(0, [2, 3]);
    assert.ok([2, 3].includes(now.leader));
    assert.ok((await admin.listPartitionReassignments()).every((r) => r.topic !== topic));
    // DescribeLogDirs goes to each broker: only 2 and 3 hold the replica now (1 deletes its
    // copy in the background).
    const holders = await until("broker 1 to drop its replica", async () => {
      const brokers = await admin.describeLogDirs(undefined, [{ topic, partition: 0 }]);
      const ids = brokers.filter((b) => b.logDirs.some((d) => d.replicas.length > 0))
        .map((b) => b.nodeId).sort();
      return ids.length === 2 ? { brokers, ids } : undefined;
    });
    assert.deepEqual(holders.brokers.map((b) => b.nodeId).sort(), [1, 2, 3]);
    assert.deepEqual(holders.ids, [2, 3]);
    for (const b of holders.brokers) assert.equal(b.error, undefined);
  });

  test("allowReplicationFactorChange false refuses a reassignment that adds a replica", async () => {
    const [r] = await admin.alterPartitionReassignments(
      [{ topic, partition: 2, replicas: [1, 2, 3] }],
      { allowReplicationFactorChange: false },
    );
    assert.ok(r.error instanceof KafkaError, String(r.error));
    assert.equal(r.error.errorName, "INVALID_REPLICATION_FACTOR");
    assert.deepEqual((await partition(2)).replicas, [1, 2]);
  });

  test("reordered replicas keep the leader; a preferred election hands it to the new first", async () => {
    throwIfFailed(
      await admin.alterPartitionReassignments([{ topic, partition: 1, replicas: [3, 2] }]),
    );
    const reordered = await settled(1, [3, 2]);
    assert.equal(reordered.leader, 2, "a reorder alone does not move the leader");
    const [elected] = await admin.electLeaders({
      type: "preferred",
      partitions: [{ topic, partition: 1 }],
    });
    assert.deepEqual(elected, { topic, partition: 1 });
    await until("broker 3 to lead partition 1", async () => {
      return (await partition(1)).leader === 3 || undefined;
    });
    const [again] = await admin.electLeaders({
      type: "preferred",
      partitions: [{ topic, partition: 1 }],
    });
    assert.ok(again.error instanceof KafkaError);
    assert.equal(again.error.errorName, "ELECTION_NOT_NEEDED");
  });

  test("a reassignment onto a stopped broker stays in progress until it is cancelled", async () => {
    await harness("stop-node", "3");
    try {
      throwIfFailed(
        await admin.alterPartitionReassignments([{ topic, partition: 2, replicas: [1, 2, 3] }]),
      );
      const [ongoing] = await admin.listPartitionReassignments([{ topic, partition: 2 }]);
      assert.deepEqual(
        { ...ongoing, replicas: [...ongoing.replicas].sort() },
        { topic, partition: 2, replicas: [1, 2, 3], addingReplicas: [3], removingReplicas: [] },
      );
      assert.deepEqual(
        (await admin.cancelPartitionReassignments([{ topic, partition: 2 }])).map((r) => r.error),
        [undefined],
      );
      await settled(2, [1, 2]);
    } finally {
      await harness("start-node", "3");
    }
  });

  test("describeQuorum agrees with kafka-metadata-quorum describe --status", async () => {
    const q = await admin.describeQuorum();
    const out = await javaTool("org.apache.kafka.tools.MetadataQuorumCommand", [
      "--bootstrap-server",
      kafkaEnv("KAFKA_CLUSTER_BROKERS"),
      "describe",
      "--status",
    ]);
    const field = (name: string) => out.match(new RegExp(`^${name}:\\s+(.*)$`, "m"))?.[1];
    assert.equal(Number(field("LeaderId")), q.leaderId, out);
    assert.equal(Number(field("LeaderEpoch")), q.leaderEpoch, out);
    assert.ok(Number(field("HighWatermark")) >= q.highWatermark, out);
    const javaVoters =
      (JSON.parse(field("CurrentVoters")!) as { id: number; endpoints: string[] }[])
        .map((v) => ({ id: v.id, endpoints: v.endpoints }))
        .sort((a, b) => a.id - b.id);
    const ours = q.voters.map((v) => ({
      id: v.replicaId,
      endpoints: q.nodes.find((n) => n.nodeId === v.replicaId)!.listeners
        .map((l) => `${l.name}://${l.host}:${l.port}`),
    })).sort((a, b) => a.id - b.id);
    assert.deepEqual(ours, javaVoters);
    assert.deepEqual(JSON.parse(field("CurrentObservers")!), q.observers);
    assert.deepEqual(ours.map((v) => v.id), [1, 2, 3]);
    for (const v of q.voters) {
      assert.ok(v.logEndOffset > 0, JSON.stringify(v));
      if (v.replicaId !== q.leaderId) assert.ok(v.lastFetchTimestamp! > 0, JSON.stringify(v));
    }
  });
});
