import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../../mod.ts";
import { Cluster } from "../../../src/core.ts";
import { kafkaEnv, RUNTIME } from "../../_env.ts";
import { adminClient } from "./_admin.ts";

describe(`admin: cluster (${RUNTIME})`, () => {
  test("describeCluster names the cluster, its controller and its one broker", async () => {
    await using admin = adminClient();
    const d = await admin.describeCluster({ includeAuthorizedOperations: true });
    assert.match(d.clusterId, /^[\w-]{22}$/);
    assert.equal(d.brokers.length, 1);
    const [address] = kafkaEnv("KAFKA_BROKERS").split(",");
    assert.equal(`${d.brokers[0].host}:${d.brokers[0].port}`, address);
    assert.equal(d.controllerId, d.brokers[0].nodeId);
    // The harness connects as a super user: every cluster operation is allowed.
    assert.ok(d.authorizedOperations!.includes("ALTER"), String(d.authorizedOperations));
  });

  test("a shared core stays open after close; bad options name the field", async () => {
    const cluster = new Cluster({ brokers: kafkaEnv("KAFKA_BROKERS").split(",") });
    try {
      const admin = new Client({ cluster });
      await admin.describeCluster();
      await admin.close();
      assert.equal((await cluster.anyConnection()).closed, false);
    } finally {
      await cluster.close();
    }
    assert.throws(
      () => new Client({ brokers: "127.0.0.1:1", timout: 5 } as never),
      /"timout".*"timeout"/,
    );
    assert.throws(() => new Client({ brokers: "127.0.0.1:1", timeout: 0 }), /timeout/);
    assert.throws(() => new Client({ cluster: {} as Cluster }), /cluster must be a Cluster/);
  });

  test("a call's timeout and signal end it with TimeoutError or the signal's reason", async () => {
    await using admin = new Client({ brokers: ["127.0.0.1:1"], timeout: 300 });
    const t0 = Date.now();
    await assert.rejects(
      admin.describeCluster(),
      (e: Error) => e.name === "TimeoutError" && /describeCluster/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 2_000);
    const reason = new Error("stop");
    await assert.rejects(
      admin.describeCluster({ signal: AbortSignal.abort(reason), timeout: 10_000 }),
      (e) => e instanceof Error && e.name === "AbortError" && e.cause === reason,
    );
  });
});
