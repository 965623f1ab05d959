// A group request answered NOT_COORDINATOR is sent again to the coordinator the core finds
// anew. In-memory brokers (the `connect` option) stand in for Kafka.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Cluster } from "../../../src/cluster/cluster.ts";
import { commitOffsets, fetchOffsets } from "../../../src/consumer/_offsets.ts";
import { ErrorCodes, KafkaError } from "../../../src/protocol/errors.ts";
import { FindCoordinator } from "../../../src/protocol/generated/find_coordinator.ts";
import { OffsetCommit } from "../../../src/protocol/generated/offset_commit.ts";
import { OffsetFetch } from "../../../src/protocol/generated/offset_fetch.ts";
import { FakeBrokers } from "./_fake_group_brokers.ts";

const PORTS: Record<string, number> = { b1: 1, b2: 2 };

/** Brokers b1 (node 1) and b2 (node 2); FindCoordinator names `coordinators` in turn. */
function brokers(coordinators: string[]): FakeBrokers {
  const fake = new FakeBrokers();
  let lookups = 0;
  fake.handle(FindCoordinator, (req) => {
    const host = coordinators[Math.min(lookups++, coordinators.length - 1)];
    const c = { nodeId: PORTS[host], host, port: PORTS[host], errorCode: 0, errorMessage: null };
    return {
      throttleTimeMs: 0,
      ...c,
      coordinators: (req.coordinatorKeys ?? []).map((key) => ({ key, ...c })),
    };
  });
  return fake;
}

const who = {
  groupId: "g",
  memberId: "m",
  generationIdOrMemberEpoch: 1,
  groupInstanceId: null,
};

describe("group requests through the core", () => {
  test("a commit answered NOT_COORDINATOR finds the coordinator again", async () => {
    const fake = brokers(["b1", "b2"]);
    fake.handle(OffsetCommit, (req, _v, host) => ({
      throttleTimeMs: 0,
      topics: (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: (t.partitions ?? []).map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: host === "b1" ? ErrorCodes.NOT_COORDINATOR : 0,
        })),
      })),
    }));
    const cluster = new Cluster({ brokers: "b1:1", connect: fake.connect });
    try {
      await commitOffsets(cluster, who, [{ topic: "t", partition: 0, offset: 5 }]);
      const seen = fake.received.filter((r) => r.api !== "ApiVersions")
        .map((r) => `${r.api}@${r.host}`);
      assert.deepEqual(seen, [
        "FindCoordinator@b1",
        "OffsetCommit@b1",
        "FindCoordinator@b1",
        "OffsetCommit@b2",
      ]);
      // The coordinator is cached: the next group request goes straight to b2.
      fake.handle(OffsetFetch, (req) => ({
        throttleTimeMs: 0,
        errorCode: 0,
        topics: [],
        groups: (req.groups ?? []).map((g) => ({
          groupId: g.groupId,
          errorCode: 0,
          topics: (g.topics ?? []).map((t) => ({
            name: t.name,
            partitions: (t.partitionIndexes ?? []).map((partitionIndex) => ({
              partitionIndex,
              committedOffset: 5n,
              committedLeaderEpoch: -1,
              metadata: null,
              errorCode: 0,
            })),
          })),
        })),
      }));
      const got = await fetchOffsets(cluster, "g", [{ topic: "t", partition: 0 }]);
      assert.equal([...got.values()][0].offset, 5);
      assert.equal(fake.received.at(-1)!.api, "OffsetFetch");
      assert.equal(fake.received.at(-1)!.host, "b2");
      assert.equal(fake.received.filter((r) => r.api === "FindCoordinator").length, 2);
    } finally {
      await cluster.close();
    }
  });

  test("a coordinator that keeps moving fails the commit with NOT_COORDINATOR", async () => {
    const fake = brokers(["b1"]);
    fake.handle(OffsetCommit, (req) => ({
      throttleTimeMs: 0,
      topics: (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: (t.partitions ?? []).map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCodes.NOT_COORDINATOR,
        })),
      })),
    }));
    const cluster = new Cluster({
      brokers: "b1:1",
      connect: fake.connect,
    });
    try {
      await assert.rejects(
        commitOffsets(cluster, who, [{ topic: "t", partition: 0, offset: 5 }]),
        (e: unknown) => e instanceof KafkaError && e.code === ErrorCodes.NOT_COORDINATOR,
      );
      const commits = fake.received.filter((r) => r.api === "OffsetCommit").length;
      assert.equal(fake.received.filter((r) => r.api === "FindCoordinator").length, commits);
      assert.ok(commits > 1, "retried");
    } finally {
      await cluster.close();
    }
  });

  test("a caller's signal ends its own wait, not the coordinator lookup others share", async () => {
    const fake = brokers(["b1"]);
    const answer = fake.handlers(FindCoordinator);
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    let asked!: () => void;
    const lookupSent = new Promise<void>((resolve) => asked = resolve);
    fake.handle(FindCoordinator, async (req, version, host) => {
      asked();
      await held;
      return answer(req, version, host);
    });
    fake.handle(OffsetCommit, (req) => ({
      throttleTimeMs: 0,
      topics: (req.topics ?? []).map((t) => ({
        name: t.name,
        partitions: (t.partitions ?? []).map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: 0,
        })),
      })),
    }));
    const cluster = new Cluster({ brokers: "b1:1", connect: fake.connect });
    try {
      const offsets = [{ topic: "t", partition: 0, offset: 1 }];
      const stop = new AbortController();
      const impatient = commitOffsets(cluster, who, offsets, stop.signal);
      const patient = commitOffsets(cluster, who, offsets);
      await lookupSent;
      stop.abort(new Error("caller gave up"));
      await assert.rejects(impatient, /caller gave up/);
      release();
      await patient;
      assert.equal(fake.received.filter((r) => r.api === "FindCoordinator").length, 1);
      assert.equal(fake.received.filter((r) => r.api === "OffsetCommit").length, 1);
    } finally {
      await cluster.close();
    }
  });
});
