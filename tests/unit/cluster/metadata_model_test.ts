import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readMetadata } from "../../../src/cluster/metadata_model.ts";
import { KafkaError } from "../../../src/protocol/errors.ts";
import {
  defaultMetadataResponse,
  defaultMetadataResponsePartition,
  defaultMetadataResponseTopic,
} from "../../../src/protocol/generated/metadata.ts";

describe("readMetadata", () => {
  test("topics with sorted partitions, topic errors apart, partition errors kept", () => {
    const snapshot = readMetadata({
      ...defaultMetadataResponse(),
      clusterId: "c1",
      controllerId: 2,
      brokers: [{ nodeId: 2, host: "h2", port: 9093, rack: "r1" }],
      topics: [
        {
          ...defaultMetadataResponseTopic(),
          name: "t",
          topicId: "AAAAAAAAAAAAAAAAAAAAAQ",
          partitions: [
            {
              ...defaultMetadataResponsePartition(),
              partitionIndex: 1,
              leaderId: -1,
              errorCode: 5,
            },
            {
              ...defaultMetadataResponsePartition(),
              partitionIndex: 0,
              leaderId: 2,
              leaderEpoch: 7,
              replicaNodes: [2, 3],
              isrNodes: [2],
              offlineReplicas: [3],
            },
          ],
        },
        { ...defaultMetadataResponseTopic(), name: "missing", errorCode: 3 },
      ],
    }, 1234);
    assert.equal(snapshot.clusterId, "c1");
    assert.equal(snapshot.controllerId, 2);
    assert.deepEqual(snapshot.brokers, [{ nodeId: 2, host: "h2", port: 9093, rack: "r1" }]);
    assert.equal(snapshot.topics.length, 1);
    const [t] = snapshot.topics;
    assert.equal(t.id, "AAAAAAAAAAAAAAAAAAAAAQ");
    assert.equal(t.fetchedAt, 1234);
    assert.deepEqual(t.partitionIds, [0, 1]);
    assert.deepEqual(
      { ...t.partitions[0] },
      {
        id: 0,
        leaderId: 2,
        leaderEpoch: 7,
        replicas: [2, 3],
        isr: [2],
        offline: [3],
        error: undefined,
      },
    );
    assert.ok(t.partitions[1].error instanceof KafkaError);
    assert.equal(t.partitions[1].error.errorName, "LEADER_NOT_AVAILABLE");
    const missing = snapshot.topicErrors.get("missing");
    assert.ok(missing instanceof KafkaError);
    assert.equal(missing.errorName, "UNKNOWN_TOPIC_OR_PARTITION");
  });
});
