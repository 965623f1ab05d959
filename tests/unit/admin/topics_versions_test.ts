// The topic operations against brokers older than the current protocol: DeleteTopics before
// v6 takes names only, CreateTopics before v5/v7 reports no configs and no topic id.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../../src/admin/client.ts";
import { KafkaError } from "../../../src/protocol/errors.ts";
import {
  CreateTopics,
  type CreateTopicsRequest,
  defaultCreatableTopicResult,
} from "../../../src/protocol/generated/create_topics.ts";
import {
  defaultDeletableTopicResult,
  DeleteTopics,
  type DeleteTopicsRequest,
} from "../../../src/protocol/generated/delete_topics.ts";
import { FakeKafka, withCluster } from "../_fake_broker.ts";

const ID = "AAAAAAAAAAAAAAAAAAAAAQ";

describe("admin topics on older brokers", () => {
  test("DeleteTopics v5: names are deleted, topic ids fail as UNSUPPORTED_VERSION", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).maxVersion.set(DeleteTopics.key, 5);
    fake.on(DeleteTopics, (req) => ({
      throttleTimeMs: 0,
      responses: (req.topicNames ?? []).map((name) => ({
        ...defaultDeletableTopicResult(),
        name,
      })),
    }));
    await withCluster(fake, async (cluster) => {
      const results = await new Client({ cluster }).deleteTopics(["a", { topicId: ID }]);
      assert.deepEqual(results[0], { topic: "a", topicId: null });
      const err = results[1].error;
      assert.ok(err instanceof KafkaError);
      assert.equal(err.errorName, "UNSUPPORTED_VERSION");
      assert.equal(err.context.topicId, ID);
      assert.equal(results[1].topicId, ID);
      const [sent] = fake.requests("DeleteTopics");
      assert.equal(sent.version, 5);
      assert.deepEqual((sent.body as DeleteTopicsRequest).topicNames, ["a"]);
    });
  });

  test("CreateTopics v4: created, with no id and no reported configs", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).maxVersion.set(CreateTopics.key, 4);
    fake.on(CreateTopics, (req) => ({
      throttleTimeMs: 0,
      topics: (req.topics ?? []).map((t) => ({ ...defaultCreatableTopicResult(), name: t.name! })),
    }));
    await withCluster(fake, async (cluster) => {
      const [created] = await new Client({ cluster }).createTopics([
        { topic: "a", numPartitions: 2, replicaAssignments: [] },
      ], { validateOnly: true, timeout: 4_000 });
      assert.deepEqual(created, {
        topic: "a",
        topicId: null,
        numPartitions: -1,
        replicationFactor: -1,
        configs: [],
      });
      const body = fake.requests("CreateTopics")[0].body as CreateTopicsRequest;
      assert.equal(body.validateOnly, true);
      assert.equal(body.timeoutMs, 4_000);
      assert.deepEqual(
        body.topics!.map((t) => [t.name, t.numPartitions, t.replicationFactor]),
        [["a", 2, -1]],
      );
    });
  });
});
