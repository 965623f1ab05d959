// The cluster operations' routing and version fallbacks, on the in-memory fake cluster.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, UnsupportedVersionError } from "../../../mod.ts";
import {
  AlterPartitionReassignments,
  defaultAlterPartitionReassignmentsResponse,
  defaultDescribeLogDirsResponse,
  defaultElectLeadersResponse,
  defaultUpdateFeaturesResponse,
  DescribeLogDirs,
  ElectLeaders,
  type ElectLeadersRequest,
  UpdateFeatures,
  type UpdateFeaturesRequest,
} from "../../../src/protocol/mod.ts";
import { FakeKafka } from "../_fake_broker.ts";

const NOT_CONTROLLER = 41;

function client(fake: FakeKafka): Client {
  return new Client({ brokers: fake.brokers, connect: fake.connect, timeout: 5_000 });
}

describe("admin cluster operations (fake cluster)", () => {
  test("validateOnly on a broker with only UpdateFeatures v0 fails before sending", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).maxVersion.set(UpdateFeatures.key, 0);
    fake.on(UpdateFeatures, () => defaultUpdateFeaturesResponse());
    await using admin = client(fake);
    const update = { feature: "f", maxVersionLevel: 1 };
    await assert.rejects(
      admin.updateFeatures([update], { validateOnly: true }),
      (e) => e instanceof UnsupportedVersionError && /UpdateFeatures.*v1\+/.test(e.message),
    );
    assert.equal(fake.requests("UpdateFeatures").length, 0);
    // Without validateOnly v0 serves, a downgrade sent as allowDowngrade.
    await admin.updateFeatures([{ ...update, upgradeType: "safe-downgrade" }]);
    const [sent] = fake.requests("UpdateFeatures");
    assert.equal(sent.version, 0);
    const body = sent.body as UpdateFeaturesRequest;
    assert.equal(body.featureUpdates![0].allowDowngrade, true);
  });

  test("UpdateFeatures v1 answers per feature; v2's one error is every feature's", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).maxVersion.set(UpdateFeatures.key, 1);
    fake.on(UpdateFeatures, (req) => ({
      ...defaultUpdateFeaturesResponse(),
      results: req.featureUpdates!.map((u) => ({
        feature: u.feature!,
        errorCode: u.feature === "bad" ? 95 : 0,
        errorMessage: u.feature === "bad" ? "no such level" : null,
      })),
    }));
    {
      await using admin = client(fake);
      const results = await admin.updateFeatures([
        { feature: "good", maxVersionLevel: 1 },
        { feature: "bad", maxVersionLevel: 9, upgradeType: "unsafe-downgrade" },
      ], { validateOnly: true });
      assert.equal(results[0].error, undefined);
      assert.match(String(results[1].error), /INVALID_UPDATE_VERSION.*no such level/);
      const body = fake.requests("UpdateFeatures")[0].body as UpdateFeaturesRequest;
      assert.deepEqual(body.featureUpdates!.map((u) => u.upgradeType), [1, 3]);
      assert.equal(body.validateOnly, true);
    }
    fake.node(1).maxVersion.delete(UpdateFeatures.key);
    fake.on(UpdateFeatures, () => ({
      ...defaultUpdateFeaturesResponse(),
      errorCode: 95,
      errorMessage: "bad level for bad",
    }));
    await using admin = client(fake);
    const results = await admin.updateFeatures([
      { feature: "good", maxVersionLevel: 1 },
      { feature: "bad", maxVersionLevel: 9 },
    ]);
    assert.deepEqual(results.map((r) => r.error?.message.includes("bad level")), [true, true]);
  });

  test("an unclean election needs ElectLeaders v1; preferred goes out at v0", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).maxVersion.set(ElectLeaders.key, 0);
    fake.on(ElectLeaders, () => defaultElectLeadersResponse());
    await using admin = client(fake);
    await assert.rejects(
      admin.electLeaders({ type: "unclean" }),
      (e) => e instanceof UnsupportedVersionError,
    );
    assert.equal(fake.requests("ElectLeaders").length, 0);
    assert.deepEqual(await admin.electLeaders({ type: "preferred" }), []);
    assert.equal(fake.requests("ElectLeaders")[0].version, 0);
  });

  test("refusing a replication factor change needs AlterPartitionReassignments v1", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).maxVersion.set(AlterPartitionReassignments.key, 0);
    await using admin = client(fake);
    await assert.rejects(
      admin.alterPartitionReassignments([{ topic: "t", partition: 0, replicas: [1] }], {
        allowReplicationFactorChange: false,
      }),
      (e) => e instanceof UnsupportedVersionError,
    );
    assert.equal(fake.requests("AlterPartitionReassignments").length, 0);
  });

  test("controller-bound calls follow a moved controller (NOT_CONTROLLER)", async () => {
    const fake = new FakeKafka([1, 2, 3]);
    fake.controllerId = 2;
    fake.on(ElectLeaders, (_req: ElectLeadersRequest, ctx) => {
      if (ctx.node.id !== fake.controllerId) {
        return { ...defaultElectLeadersResponse(), errorCode: NOT_CONTROLLER };
      }
      return defaultElectLeadersResponse();
    });
    fake.on(AlterPartitionReassignments, (req) => ({
      ...defaultAlterPartitionReassignmentsResponse(),
      responses: req.topics!.map((t) => ({
        name: t.name!,
        partitions: t.partitions!.map((p) => ({
          partitionIndex: p.partitionIndex!,
          errorCode: 0,
          errorMessage: null,
        })),
      })),
    }));
    await using admin = client(fake);
    await admin.electLeaders({ type: "preferred" });
    fake.controllerId = 3;
    await admin.electLeaders({ type: "preferred" });
    assert.deepEqual(fake.requests("ElectLeaders").map((r) => r.nodeId), [2, 2, 3]);
    assert.deepEqual(
      await admin.cancelPartitionReassignments([{ topic: "t", partition: 4 }]),
      [{ topic: "t", partition: 4 }],
    );
    assert.deepEqual(fake.requests("AlterPartitionReassignments").map((r) => r.nodeId), [3]);
  });

  test("describeLogDirs asks every broker itself; one that fails is its own result", async () => {
    const fake = new FakeKafka([1, 2, 3]);
    fake.on(DescribeLogDirs, (_req, ctx) => ({
      ...defaultDescribeLogDirsResponse(),
      errorCode: ctx.node.id === 3 ? 31 : 0, // CLUSTER_AUTHORIZATION_FAILED
      results: ctx.node.id === 3 ? [] : [{
        errorCode: 0,
        logDir: `/data/${ctx.node.id}`,
        topics: [],
        totalBytes: 100n,
        usableBytes: 40n,
        isCordoned: false,
      }],
    }));
    await using admin = client(fake);
    const results = await admin.describeLogDirs();
    assert.deepEqual(results.map((r) => [r.nodeId, r.logDirs.map((d) => d.path)]), [
      [1, ["/data/1"]],
      [2, ["/data/2"]],
      [3, []],
    ]);
    assert.match(String(results[2].error), /CLUSTER_AUTHORIZATION_FAILED.*nodeId=3/);
    assert.deepEqual(
      fake.requests("DescribeLogDirs").map((r) => r.nodeId).sort(),
      [1, 2, 3],
    );
  });
});
