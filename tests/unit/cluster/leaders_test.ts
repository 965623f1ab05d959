// Requests to partition leaders (askLeaders, here through the admin client's listOffsets):
// one request per leader, rounds that follow a leader move, per-partition errors and
// version floors.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../../src/admin/client.ts";
import { KafkaError } from "../../../src/protocol/errors.ts";
import {
  defaultListOffsetsPartitionResponse,
  ListOffsets,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
} from "../../../src/protocol/generated/list_offsets.ts";
import { FakeKafka, withCluster } from "../_fake_broker.ts";

/** Answers every partition asked: offset 10 × partition, or the code `errors` gives it. */
function answer(req: ListOffsetsRequest, errors: (p: number) => number): ListOffsetsResponse {
  return {
    throttleTimeMs: 0,
    topics: (req.topics ?? []).map((t) => ({
      name: t.name!,
      partitions: (t.partitions ?? []).map((p) => ({
        ...defaultListOffsetsPartitionResponse(),
        partitionIndex: p.partitionIndex!,
        errorCode: errors(p.partitionIndex!),
        offset: BigInt(p.partitionIndex! * 10),
      })),
    })),
  };
}

/** Three brokers; topic `t` has partitions 0 and 2 led by broker 2, partition 1 by broker 3. */
function fakeKafka(): FakeKafka {
  const fake = new FakeKafka([1, 2, 3]);
  fake.topics.set("t", { id: "AAAAAAAAAAAAAAAAAAAAAQ", leaders: [2, 3, 2] });
  fake.on(ListOffsets, (req) => answer(req, () => 0));
  return fake;
}

const all = (spec: "latest" | "max-timestamp") =>
  [0, 1, 2].map((partition) => ({ topic: "t", partition, spec }));

const partitionsAsked = (body: unknown) =>
  (body as ListOffsetsRequest).topics!.flatMap((t) => t.partitions!.map((p) => p.partitionIndex));

describe("requests to partition leaders", () => {
  test("one request per leader, with the partitions it leads", async () => {
    const fake = fakeKafka();
    await withCluster(fake, async (cluster) => {
      const admin = new Client({ cluster });
      const results = await admin.listOffsets(all("latest"));
      assert.deepEqual(results.map((r) => [r.partition, r.offset, r.error]), [
        [0, 0, undefined],
        [1, 10, undefined],
        [2, 20, undefined],
      ]);
      const sent = fake.requests("ListOffsets");
      assert.deepEqual(sent.map((r) => [r.nodeId, partitionsAsked(r.body)]), [
        [2, [0, 2]],
        [3, [1]],
      ]);
    });
  });

  test("a leader move is asked again of the new leader, for that partition only", async () => {
    const fake = fakeKafka();
    fake.on(ListOffsets, (req, { node }) => {
      if (node.id !== 3) return answer(req, () => 0);
      fake.topics.get("t")!.leaders = [2, 2, 2]; // partition 1 moved to broker 2
      return answer(req, () => 6); // NOT_LEADER_OR_FOLLOWER
    });
    await withCluster(fake, async (cluster) => {
      const results = await new Client({ cluster }).listOffsets(all("latest"));
      assert.deepEqual(results.map((r) => [r.offset, r.error]), [
        [0, undefined],
        [10, undefined],
        [20, undefined],
      ]);
      const sent = fake.requests("ListOffsets");
      assert.deepEqual(sent.map((r) => [r.nodeId, partitionsAsked(r.body)]), [
        [2, [0, 2]],
        [3, [1]],
        [2, [1]],
      ]);
    });
  });

  test("an error that a retry cannot help is that partition's result, asked once", async () => {
    const fake = fakeKafka();
    fake.on(ListOffsets, (req) => answer(req, (p) => p === 2 ? 29 : 0)); // TOPIC_AUTHORIZATION_FAILED
    await withCluster(fake, async (cluster) => {
      const results = await new Client({ cluster }).listOffsets(all("latest"));
      assert.deepEqual(results.slice(0, 2).map((r) => [r.offset, r.error]), [
        [0, undefined],
        [10, undefined],
      ]);
      const err = results[2].error;
      assert.ok(err instanceof KafkaError);
      assert.equal(err.errorName, "TOPIC_AUTHORIZATION_FAILED");
      assert.deepEqual([err.context.topic, err.context.partition], ["t", 2]);
      assert.equal(results[2].offset, -1);
      assert.equal(fake.requests("ListOffsets").length, 2);
    });
  });

  test("a broker too old for a spec fails those partitions; the others are answered", async () => {
    const fake = fakeKafka();
    fake.node(3).maxVersion.set(ListOffsets.key, 6); // max-timestamp needs v7
    await withCluster(fake, async (cluster) => {
      const results = await new Client({ cluster }).listOffsets(all("max-timestamp"));
      assert.equal(results[0].error, undefined);
      assert.equal(results[2].error, undefined);
      const err = results[1].error;
      assert.ok(err instanceof KafkaError);
      assert.equal(err.errorName, "UNSUPPORTED_VERSION");
      assert.equal(err.context.partition, 1);
      assert.deepEqual(fake.requests("ListOffsets").map((r) => r.nodeId), [2]);
      assert.equal(fake.requests("ListOffsets")[0].version >= 7, true);
    });
  });
});
