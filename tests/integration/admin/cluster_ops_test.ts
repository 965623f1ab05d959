import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Client, KafkaError, Writer } from "../../../mod.ts";
import { CreateTopics, DeleteTopics } from "../../../src/protocol/mod.ts";
import { kafkaEnv, RUNTIME } from "../../_env.ts";
import { adminClient, uniqueName } from "./_admin.ts";

/** Whether `e` is the KafkaError named `name`. */
const kafkaError = (name: string) => (e: unknown) =>
  e instanceof KafkaError && e.errorName === name;

describe(`admin: cluster operations (${RUNTIME})`, () => {
  let admin: Client;
  const topic = uniqueName("clusterops");

  before(async () => {
    admin = adminClient();
    const res = await admin.request(CreateTopics, {
      topics: [{ name: topic, numPartitions: 2, replicationFactor: 1 }],
      timeoutMs: 15_000,
    });
    assert.equal(res.topics[0].errorCode, 0, res.topics[0].errorMessage ?? "");
    await using w = new Writer({ brokers: kafkaEnv("KAFKA_BROKERS").split(","), topic });
    await w.writeMessages(
      Array.from({ length: 20 }, (_, i) => ({ partition: 0, value: `record ${i}` })),
    );
  });

  after(async () => {
    await admin.request(DeleteTopics, { topicNames: [topic], timeoutMs: 15_000 });
    await admin.close();
  });

  test("describeFeatures: metadata.version is finalized within the supported range", async () => {
    const f = await admin.describeFeatures();
    const finalized = f.finalizedFeatures.find((x) => x.name === "metadata.version");
    const supported = f.supportedFeatures.find((x) => x.name === "metadata.version");
    assert.ok(finalized && supported, JSON.stringify(f));
    assert.ok(finalized.maxVersionLevel >= supported.minVersion, JSON.stringify(f));
    assert.ok(finalized.maxVersionLevel <= supported.maxVersion, JSON.stringify(f));
    assert.ok(f.finalizedFeaturesEpoch !== null && f.finalizedFeaturesEpoch > 0);
    // Kafka 4.3 finalizes the features it enables by default (KIP-848's group.version...).
    assert.ok(f.finalizedFeatures.some((x) => x.name === "group.version"), JSON.stringify(f));
  });

  test("updateFeatures validateOnly: keeping the level passes; an unknown feature fails all", async () => {
    const { finalizedFeatures } = await admin.describeFeatures();
    const level = finalizedFeatures.find((x) => x.name === "metadata.version")!.maxVersionLevel;
    for (const upgradeType of ["upgrade", "safe-downgrade"] as const) {
      assert.deepEqual(
        await admin.updateFeatures(
          [{ feature: "metadata.version", maxVersionLevel: level, upgradeType }],
          { validateOnly: true },
        ),
        [{ feature: "metadata.version" }],
      );
    }
    // The controller applies all or nothing: the good change fails with the bad one.
    const results = await admin.updateFeatures([
      { feature: "metadata.version", maxVersionLevel: level },
      { feature: "kafkit.no-such-feature", maxVersionLevel: 1 },
    ], { validateOnly: true });
    assert.deepEqual(results.map((r) => r.feature), ["metadata.version", "kafkit.no-such-feature"]);
    for (const r of results) {
      assert.ok(kafkaError("INVALID_UPDATE_VERSION")(r.error), String(r.error));
      assert.match(r.error!.message, /kafkit\.no-such-feature/);
    }
    // Nothing changed.
    const after = await admin.describeFeatures();
    assert.equal(
      after.finalizedFeatures.find((x) => x.name === "metadata.version")!.maxVersionLevel,
      level,
    );
    assert.deepEqual(await admin.updateFeatures([]), []);
  });

  test("updateFeatures: bad input names the field before anything is sent", async () => {
    await assert.rejects(
      admin.updateFeatures([{ feature: "", maxVersionLevel: 1 }]),
      (e) => e instanceof TypeError && /updates\[0\]\.feature/.test(e.message),
    );
    await assert.rejects(
      admin.updateFeatures([{ feature: "metadata.version", maxVersionLevel: -1 }]),
      (e) => e instanceof RangeError && /updates\[0\]\.maxVersionLevel/.test(e.message),
    );
    await assert.rejects(
      admin.updateFeatures([
        { feature: "metadata.version", maxVersionLevel: 1, upgradeType: "sideways" as never },
      ]),
      (e) =>
        e instanceof TypeError && /updates\[0\]\.upgradeType.*unsafe-downgrade/.test(e.message),
    );
  });

  test("describeLogDirs: the broker's one dir holds the topic's replicas with their sizes", async () => {
    const [broker] = await admin.describeLogDirs();
    const { brokers } = await admin.describeCluster();
    assert.equal(broker.nodeId, brokers[0].nodeId);
    assert.equal(broker.error, undefined);
    assert.equal(broker.logDirs.length, 1);
    const [dir] = broker.logDirs;
    assert.equal(dir.error, undefined);
    assert.match(dir.path, /^\//);
    assert.ok(dir.totalBytes! > 0 && dir.usableBytes! > 0 && dir.usableBytes! <= dir.totalBytes!);
    assert.equal(dir.isCordoned, false);
    const mine = dir.replicas.filter((r) => r.topic === topic).sort((a, b) =>
      a.partition - b.partition
    );
    assert.deepEqual(mine.map((r) => [r.partition, r.offsetLag, r.isFuture]), [
      [0, 0, false],
      [1, 0, false],
    ]);
    assert.ok(mine[0].size > 20 * "record 00".length, `size ${mine[0].size}`);
    assert.equal(mine[1].size, 0);
  });

  test("describeLogDirs: only the partitions and brokers asked for; an unknown broker fails alone", async () => {
    const { brokers } = await admin.describeCluster();
    const results = await admin.describeLogDirs([brokers[0].nodeId, 4242], [{
      topic,
      partition: 1,
    }]);
    assert.equal(results.length, 2);
    assert.deepEqual(
      results[0].logDirs.flatMap((d) => d.replicas).map((r) => [r.topic, r.partition]),
      [[topic, 1]],
    );
    assert.equal(results[1].nodeId, 4242);
    assert.ok(kafkaError("BROKER_NOT_AVAILABLE")(results[1].error), String(results[1].error));
    assert.match(results[1].error!.message, /nodeId=4242/);
    await assert.rejects(
      admin.describeLogDirs([-1]),
      (e) => e instanceof RangeError && /brokers\[0\]/.test(e.message),
    );
    await assert.rejects(
      admin.describeLogDirs(undefined, [{ topic: "", partition: 0 }]),
      (e) => e instanceof TypeError && /partitions\[0\]\.topic/.test(e.message),
    );
  });

  test("alterReplicaLogDirs: same dir is a no-op; a missing dir and an unknown topic fail per partition", async () => {
    const [{ nodeId, logDirs: [dir] }] = await admin.describeLogDirs();
    const results = await admin.alterReplicaLogDirs([
      { topic, partition: 0, nodeId, dir: dir.path },
      { topic, partition: 1, nodeId, dir: "/kafkit/no/such/dir" },
      { topic: uniqueName("missing"), partition: 0, nodeId, dir: dir.path },
    ]);
    assert.equal(results.length, 3);
    assert.equal(results[0].error, undefined);
    assert.equal(results[0].dir, dir.path);
    assert.ok(kafkaError("LOG_DIR_NOT_FOUND")(results[1].error), String(results[1].error));
    assert.equal((results[1].error as KafkaError).context.partition, 1);
    assert.ok(
      kafkaError("UNKNOWN_TOPIC_OR_PARTITION")(results[2].error),
      String(results[2].error),
    );
    // Still where it was.
    const [again] = await admin.describeLogDirs([nodeId], [{ topic, partition: 0 }]);
    assert.deepEqual(again.logDirs.map((d) => [d.path, d.replicas.length]), [[dir.path, 1]]);
    await assert.rejects(
      admin.alterReplicaLogDirs([{ topic, partition: 0, nodeId, dir: "" }]),
      (e) => e instanceof TypeError && /moves\[0\]\.dir/.test(e.message),
    );
    await assert.rejects(
      admin.alterReplicaLogDirs([{ topic, partition: 0, nodeId: -3, dir: dir.path }]),
      (e) => e instanceof RangeError && /moves\[0\]\.nodeId/.test(e.message),
    );
  });

  test("electLeaders: ELECTION_NOT_NEEDED per partition that has its leader; unknown topics fail alone", async () => {
    const missing = uniqueName("missing");
    for (const type of ["preferred", "unclean"] as const) {
      const results = await admin.electLeaders({
        type,
        partitions: [{ topic, partition: 0 }, { topic, partition: 1 }, {
          topic: missing,
          partition: 0,
        }],
      });
      const byKey = new Map(results.map((r) => [`${r.topic}/${r.partition}`, r.error]));
      assert.equal(results.length, 3);
      assert.ok(kafkaError("ELECTION_NOT_NEEDED")(byKey.get(`${topic}/0`)), type);
      assert.ok(kafkaError("ELECTION_NOT_NEEDED")(byKey.get(`${topic}/1`)), type);
      assert.ok(kafkaError("UNKNOWN_TOPIC_OR_PARTITION")(byKey.get(`${missing}/0`)), type);
    }
    // With no partitions named, a cluster where every leader is preferred answers nothing.
    const all = await admin.electLeaders({ type: "preferred" });
    assert.ok(all.every((r) => r.topic !== topic), JSON.stringify(all));
    await assert.rejects(
      admin.electLeaders({ type: "sideways" as never }),
      (e) => e instanceof TypeError && /type must be one of preferred, unclean/.test(e.message),
    );
    await assert.rejects(
      admin.electLeaders({ type: "preferred", partitions: [{ topic, partition: -1 }] }),
      (e) => e instanceof RangeError && /partitions\[0\]\.partition/.test(e.message),
    );
  });

  test("reassignments on one broker: to itself succeeds, to an absent broker fails, cancel has nothing", async () => {
    const { brokers } = await admin.describeCluster();
    const self = brokers[0].nodeId;
    const results = await admin.alterPartitionReassignments([
      { topic, partition: 0, replicas: [self] },
      { topic, partition: 1, replicas: [self + 100] },
    ]);
    assert.equal(results[0].error, undefined, String(results[0].error));
    assert.ok(
      kafkaError("INVALID_REPLICA_ASSIGNMENT")(results[1].error),
      String(results[1].error),
    );
    assert.deepEqual(await admin.listPartitionReassignments([{ topic, partition: 0 }]), []);
    assert.ok(Array.isArray(await admin.listPartitionReassignments()));
    const cancelled = await admin.cancelPartitionReassignments([{ topic, partition: 0 }]);
    assert.ok(
      kafkaError("NO_REASSIGNMENT_IN_PROGRESS")(cancelled[0].error),
      String(cancelled[0].error),
    );
    await assert.rejects(
      admin.alterPartitionReassignments([{ topic, partition: 0, replicas: [self, -2] }]),
      (e) => e instanceof RangeError && /reassignments\[0\]\.replicas\[1\]/.test(e.message),
    );
    await assert.rejects(
      admin.alterPartitionReassignments([{ topic: "", partition: 0, replicas: null }]),
      (e) => e instanceof TypeError && /reassignments\[0\]\.topic/.test(e.message),
    );
    await assert.rejects(
      admin.cancelPartitionReassignments([{ topic, partition: 1.5 }]),
      (e) => e instanceof RangeError && /partitions\[0\]\.partition/.test(e.message),
    );
  });

  test("describeQuorum: the single node leads the metadata quorum as its only voter", async () => {
    const q = await admin.describeQuorum();
    const { brokers } = await admin.describeCluster();
    assert.equal(q.leaderId, brokers[0].nodeId);
    assert.ok(q.leaderEpoch >= 1);
    assert.ok(q.highWatermark > 0);
    assert.deepEqual(q.voters.map((v) => v.replicaId), [q.leaderId]);
    assert.deepEqual(q.observers, []);
    const [leader] = q.voters;
    assert.ok(leader.logEndOffset >= q.highWatermark, JSON.stringify(q));
    assert.ok(leader.lastCaughtUpTimestamp === null || leader.lastCaughtUpTimestamp > 0);
    assert.equal(q.nodes.length, 1);
    assert.equal(q.nodes[0].nodeId, q.leaderId);
    const [listener] = q.nodes[0].listeners;
    assert.equal(listener.name, "CONTROLLER");
    assert.equal(listener.host, "127.0.0.1");
    assert.ok(listener.port > 0);
  });

  test("unregisterBroker: an unknown broker id is BROKER_ID_NOT_REGISTERED; bad ids name the field", async () => {
    await assert.rejects(
      admin.unregisterBroker(987_654),
      (e) => kafkaError("BROKER_ID_NOT_REGISTERED")(e) && /987654/.test((e as Error).message),
    );
    await assert.rejects(
      admin.unregisterBroker(-1),
      (e) => e instanceof RangeError && /brokerId/.test(e.message),
    );
  });
});
