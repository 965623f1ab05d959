// seekToCommitted while a rebalance takes a partition away: the committed offsets come back
// for every partition owned when they were asked for, but the member must place only those it
// still owns. Placing the lost one made it read beside its new owner (an exactly-once pipeline
// then committed that partition's input twice: 763 duplicates in a 3-node CI run).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Reader } from "../../../mod.ts";
import {
  ConsumerGroupHeartbeat,
} from "../../../src/protocol/generated/consumer_group_heartbeat.ts";
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  Fetch,
} from "../../../src/protocol/generated/fetch.ts";
import {
  defaultOffsetFetchResponse,
  defaultOffsetFetchResponsePartitions,
  OffsetFetch,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
} from "../../../src/protocol/generated/offset_fetch.ts";
import { waitFor } from "../../_eventually.ts";
import type { FakeKafka } from "../_fake_broker.ts";
import { assignment, twoPartitions } from "./_two_partitions.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Committed offset 5 for every partition asked for (names or topic ids, as the version has). */
function committed(req: OffsetFetchRequest): OffsetFetchResponse {
  return {
    ...defaultOffsetFetchResponse(),
    groups: (req.groups ?? []).map((g) => ({
      groupId: g.groupId ?? "",
      errorCode: 0,
      topics: (g.topics ?? []).map((t) => ({
        name: t.name ?? "",
        topicId: t.topicId ?? "",
        partitions: (t.partitionIndexes ?? []).map((partitionIndex) => ({
          ...defaultOffsetFetchResponsePartitions(),
          partitionIndex,
          committedOffset: 5n,
        })),
      })),
    })),
  };
}

/** Answers Fetch with nothing new, after a moment; returns each Fetch's partitions. */
function recordFetches(fake: FakeKafka): number[][] {
  const fetched: number[][] = [];
  fake.on(Fetch, async (req) => {
    fetched.push(
      (req.topics ?? []).flatMap((t) => (t.partitions ?? []).map((p) => p.partition ?? 0)),
    );
    await sleep(20);
    return {
      ...defaultFetchResponse(),
      responses: (req.topics ?? []).map((t) => ({
        topic: t.topic ?? "",
        topicId: t.topicId ?? "",
        partitions: (t.partitions ?? []).map((p) => ({
          ...defaultFetchResponsePartitionData(),
          partitionIndex: p.partition ?? 0,
          highWatermark: 5n,
          records: null,
        })),
      })),
    };
  });
  return fetched;
}

describe("Reader.seekToCommitted during a rebalance", () => {
  test("a partition taken away while the offsets were asked for is not placed again", async () => {
    const { fake, topicId } = twoPartitions();

    // The group: both partitions, until the test takes partition 1 away (a new epoch). The
    // fake answers each connection in request order, so the test holds a heartbeat, lets the
    // seek's OffsetFetch queue behind it, and answers the heartbeat first: the member gives
    // partition 1 up while the offsets it asked for (for partitions 0 and 1) are still out.
    let owned = [0, 1];
    let epoch = 1;
    let holdHeartbeat = false;
    let heldHeartbeat: (() => void) | undefined;
    fake.on(ConsumerGroupHeartbeat, () => {
      if (!holdHeartbeat) return assignment(topicId, owned, epoch);
      holdHeartbeat = false;
      return new Promise((resolve) => {
        heldHeartbeat = () => resolve(assignment(topicId, owned, epoch));
      });
    });

    // OffsetFetch answers at once, except the one the test holds.
    let holding = false;
    let held: { release: () => void; asked: number[] } | undefined;
    fake.on(OffsetFetch, (req) => {
      if (!holding) return committed(req);
      holding = false;
      const asked = (req.groups ?? []).flatMap((g) =>
        (g.topics ?? []).flatMap((t) => t.partitionIndexes ?? [])
      );
      return new Promise<OffsetFetchResponse>((resolve) => {
        held = { release: () => resolve(committed(req)), asked };
      });
    });

    const fetched = recordFetches(fake);

    const reader = new Reader({
      brokers: fake.brokers,
      topic: "t",
      groupId: "g",
      groupProtocol: "consumer",
      connect: fake.connect,
      maxWait: 50,
    });
    try {
      await waitFor("both partitions fetched", () => fetched.some((f) => f.length === 2));

      holdHeartbeat = true;
      await waitFor("a heartbeat held", () => heldHeartbeat !== undefined);
      holding = true;
      const seek = reader.seekToCommitted();
      await waitFor("the seek's OffsetFetch held", () => held !== undefined);
      assert.deepEqual(held!.asked.sort(), [0, 1]);

      // The rebalance: partition 1 goes to another member while the offsets are out.
      owned = [0];
      epoch = 2;
      heldHeartbeat!();
      await waitFor("partition 1 given up", () => reader.assignments.length === 1);
      const offsetFetches = fake.requests("OffsetFetch").length;

      held!.release();
      await seek;
      // The seek noticed the change and asked again, for what it owns now.
      assert.ok(fake.requests("OffsetFetch").length > offsetFetches, "asked again");
      const after = fetched.length;
      await waitFor("fetching again", () => fetched.length >= after + 5);
      const lost = fetched.slice(after).filter((f) => f.includes(1));
      assert.deepEqual(lost, [], "partition 1 fetched after it was taken away");
      assert.deepEqual(reader.assignments.map((p) => p.partition), [0]);
    } finally {
      await reader.close();
    }
  });

  test("a partition whose revoke is under way is not placed again", async () => {
    // The membership lists a partition as owned until the revoke handler returns (it commits
    // the partition's offsets meanwhile). A seek in that window, answered at once, must not
    // place it: that was a second way to read beside the new owner.
    const { fake, topicId } = twoPartitions();
    let owned = [0, 1];
    let epoch = 1;
    fake.on(ConsumerGroupHeartbeat, () => assignment(topicId, owned, epoch));
    fake.on(OffsetFetch, (req) => committed(req));
    const fetched = recordFetches(fake);
    let revoking: (() => void) | undefined;
    const reader = new Reader({
      brokers: fake.brokers,
      topic: "t",
      groupId: "g",
      groupProtocol: "consumer",
      connect: fake.connect,
      maxWait: 50,
      // The first revoke waits for the test; the one at close does not.
      onRevoked: () =>
        revoking ? Promise.resolve() : new Promise<void>((resolve) => (revoking = resolve)),
    });
    try {
      await waitFor("both partitions fetched", () => fetched.some((f) => f.length === 2));
      owned = [0];
      epoch = 2;
      await waitFor("the revoke of partition 1 under way", () => revoking !== undefined);
      assert.equal(reader.assignments.length, 2, "still listed as owned while it is revoked");
      await reader.seekToCommitted();
      revoking!();
      await waitFor("partition 1 given up", () => reader.assignments.length === 1);
      const after = fetched.length;
      await waitFor("fetching again", () => fetched.length >= after + 5);
      const lost = fetched.slice(after).filter((f) => f.includes(1));
      assert.deepEqual(lost, [], "partition 1 fetched after it was taken away");
    } finally {
      await reader.close();
    }
  });
});
