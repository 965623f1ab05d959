// A group request answered NOT_COORDINATOR is sent again to the coordinator the core finds
// anew. In-memory brokers (the `connect` option) stand in for Kafka.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { commitOffsets, fetchOffsets } from "../../../src/consumer/_offsets.ts";
import { ErrorCodes, KafkaError } from "../../../src/protocol/errors.ts";
import {
  FindCoordinator,
  type FindCoordinatorRequest,
  type FindCoordinatorResponse,
} from "../../../src/protocol/generated/find_coordinator.ts";
import { OffsetCommit } from "../../../src/protocol/generated/offset_commit.ts";
import {
  defaultOffsetFetchResponseGroup,
  defaultOffsetFetchResponsePartitions,
  defaultOffsetFetchResponseTopics,
  OffsetFetch,
} from "../../../src/protocol/generated/offset_fetch.ts";
import { commitAnswer, FakeKafka, type Handler, withCluster } from "../_fake_broker.ts";

type FindCoordinatorHandler = Handler<FindCoordinatorRequest, FindCoordinatorResponse>;

/** Brokers 1 and 2, bootstrapped from 1; FindCoordinator names `coordinators` in turn. */
function brokers(
  coordinators: number[],
): { fake: FakeKafka; findCoordinator: FindCoordinatorHandler } {
  const fake = new FakeKafka([1, 2]);
  let lookups = 0;
  const findCoordinator: FindCoordinatorHandler = (req) => {
    const { id, host, port } = fake.node(
      coordinators[Math.min(lookups++, coordinators.length - 1)],
    );
    const c = { nodeId: id, host, port, errorCode: 0, errorMessage: null };
    return {
      throttleTimeMs: 0,
      ...c,
      coordinators: (req.coordinatorKeys ?? []).map((key) => ({ key, ...c })),
    };
  };
  fake.on(FindCoordinator, findCoordinator);
  return { fake, findCoordinator };
}

/** The requests the brokers received, ApiVersions aside, as `api@node`. */
const seen = (fake: FakeKafka) =>
  fake.seen.filter((r) => r.api !== "ApiVersions").map((r) => `${r.api}@${r.nodeId}`);

/** The core, bootstrapped from broker 1 only. */
const bootstrap = { brokers: "broker1:9092" };

const who = {
  groupId: "g",
  memberId: "m",
  generationIdOrMemberEpoch: 1,
  groupInstanceId: null,
};

describe("group requests through the core", () => {
  test("a commit answered NOT_COORDINATOR finds the coordinator again", async () => {
    const { fake } = brokers([1, 2]);
    fake.on(
      OffsetCommit,
      (req, { node }) => commitAnswer(req, node.id === 1 ? ErrorCodes.NOT_COORDINATOR : 0),
    );
    await withCluster(fake, async (cluster) => {
      await commitOffsets(cluster, who, [{ topic: "t", partition: 0, offset: 5 }]);
      assert.deepEqual(seen(fake), [
        "FindCoordinator@1",
        "OffsetCommit@1",
        "FindCoordinator@1",
        "OffsetCommit@2",
      ]);
      // The coordinator is cached: the next group request goes straight to broker 2.
      fake.on(OffsetFetch, (req) => ({
        throttleTimeMs: 0,
        errorCode: 0,
        topics: [],
        groups: (req.groups ?? []).map((g) => ({
          ...defaultOffsetFetchResponseGroup(),
          groupId: g.groupId ?? "",
          errorCode: 0,
          topics: (g.topics ?? []).map((t) => ({
            ...defaultOffsetFetchResponseTopics(),
            name: t.name ?? "",
            partitions: (t.partitionIndexes ?? []).map((partitionIndex) => ({
              ...defaultOffsetFetchResponsePartitions(),
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
      assert.equal(seen(fake).at(-1), "OffsetFetch@2");
      assert.equal(fake.requests("FindCoordinator").length, 2);
    }, bootstrap);
  });

  test("a coordinator that keeps moving fails the commit with NOT_COORDINATOR", async () => {
    const { fake } = brokers([1]);
    fake.on(OffsetCommit, (req) => commitAnswer(req, ErrorCodes.NOT_COORDINATOR));
    await withCluster(fake, async (cluster) => {
      await assert.rejects(
        commitOffsets(cluster, who, [{ topic: "t", partition: 0, offset: 5 }]),
        (e: unknown) => e instanceof KafkaError && e.code === ErrorCodes.NOT_COORDINATOR,
      );
      const commits = fake.requests("OffsetCommit").length;
      assert.equal(fake.requests("FindCoordinator").length, commits);
      assert.ok(commits > 1, "retried");
    }, bootstrap);
  });

  test("a caller's signal ends its own wait, not the coordinator lookup others share", async () => {
    const { fake, findCoordinator } = brokers([1]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    let asked!: () => void;
    const lookupSent = new Promise<void>((resolve) => asked = resolve);
    fake.on(FindCoordinator, async (req, ctx) => {
      asked();
      await held;
      return findCoordinator(req, ctx);
    });
    fake.on(OffsetCommit, (req) => commitAnswer(req, 0));
    await withCluster(fake, async (cluster) => {
      const offsets = [{ topic: "t", partition: 0, offset: 1 }];
      const stop = new AbortController();
      const impatient = commitOffsets(cluster, who, offsets, { signal: stop.signal });
      const patient = commitOffsets(cluster, who, offsets);
      await lookupSent;
      stop.abort(new Error("caller gave up"));
      await assert.rejects(impatient, /caller gave up/);
      release();
      await patient;
      assert.equal(fake.requests("FindCoordinator").length, 1);
      assert.equal(fake.requests("OffsetCommit").length, 1);
    }, bootstrap);
  });
});
