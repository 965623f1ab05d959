// Log truncation (KIP-320) against a fake broker: the Reader sends the epoch of the last batch
// it read, and when the leader says its log parts from what was read (a Fetch answer's
// divergingEpoch, or OffsetForLeaderEpoch after a leader change) it reports a
// LogTruncationError, logs it, and goes on from where the logs part.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LogTruncationError, type Message, Reader } from "../../../mod.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  Fetch,
  type FetchRequest,
  type FetchResponsePartitionData,
} from "../../../src/protocol/generated/fetch.ts";
import { Metadata, type MetadataResponse } from "../../../src/protocol/generated/metadata.ts";
import {
  defaultOffsetForLeaderEpochResponse,
  OffsetForLeaderEpoch,
  type OffsetForLeaderEpochRequest,
} from "../../../src/protocol/generated/offset_for_leader_epoch.ts";
import { encodeRecordBatch } from "../../../src/protocol/records.ts";
import { waitFor } from "../../_eventually.ts";
import { FakeKafka } from "../_fake_broker.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A batch of `values` from `baseOffset`, written under leader epoch `epoch`. */
const batch = (baseOffset: number, epoch: number, values: string[]) =>
  encodeRecordBatch(values.map((v) => ({ value: enc.encode(v) })), {
    baseOffset,
    partitionLeaderEpoch: epoch,
  });

/** A fake cluster of one partition whose leader epoch the test moves. */
function fakeCluster() {
  const fake = new FakeKafka([1]);
  fake.createTopic("t", 1);
  const cluster = { leaderEpoch: 5 };
  const metadata = fake.handler(Metadata);
  fake.on(Metadata, async (req, ctx) => {
    const res = await metadata(req, ctx) as MetadataResponse;
    for (const t of res.topics) for (const p of t.partitions) p.leaderEpoch = cluster.leaderEpoch;
    return res;
  });
  return { fake, cluster };
}

/** The fake's id for topic `t` (FakeKafka derives it from the name). */
const T_ID = btoa("t".padEnd(16, "_")).replace(/=+$/, "");

const answer = (part: Partial<FetchResponsePartitionData>) => ({
  ...defaultFetchResponse(),
  responses: [{
    topic: "t",
    topicId: T_ID,
    partitions: [{ ...defaultFetchResponsePartitionData(), highWatermark: 5n, ...part }],
  }],
});

const fetched = (fake: FakeKafka) =>
  fake.requests("Fetch").flatMap((r) =>
    ((r.body as FetchRequest).topics ?? []).flatMap((t) =>
      (t.partitions ?? []).map((p) => ({
        offset: Number(p.fetchOffset),
        lastFetchedEpoch: p.lastFetchedEpoch,
        currentLeaderEpoch: p.currentLeaderEpoch,
      }))
    )
  );

/** A Reader of `t`/0 from offset 0 on `fake`, keeping what it reports and logs. */
function readerOn(fake: FakeKafka) {
  const errors: unknown[] = [];
  const logs: string[] = [];
  const r = new Reader({
    brokers: fake.brokers,
    connect: fake.connect,
    partitions: [{ topic: "t", partition: 0, offset: 0 }],
    maxWait: 20,
    readBackoffMin: 10,
    onError: (e) => errors.push(e),
    logger: (m) => logs.push(m),
  });
  return { r, errors, logs };
}

async function read(r: Reader, n: number): Promise<string[]> {
  const out: Message[] = [];
  while (out.length < n) out.push(await r.fetchMessage({ signal: AbortSignal.timeout(10_000) }));
  return out.map((m) => `${m.offset}:${dec.decode(m.value!)}`);
}

describe("Reader log truncation (fake broker)", () => {
  test("a divergingEpoch answer: reported, logged, read on from the divergence", async () => {
    const { fake } = fakeCluster();
    const old = await batch(0, 5, ["a", "b", "c", "d", "e"]);
    const replaced = await batch(3, 6, ["D", "E"]);
    fake.on(Fetch, async (req: FetchRequest) => {
      const p = req.topics![0].partitions![0];
      const offset = Number(p.fetchOffset);
      if (offset === 0) return answer({ records: old });
      // Epoch 5 ends at 3 on this leader: offsets 3 and 4 were lost.
      if (offset === 5 && p.lastFetchedEpoch === 5) {
        return answer({ divergingEpoch: { epoch: 5, endOffset: 3n } });
      }
      if (offset === 3) return answer({ records: replaced });
      await new Promise((r) => setTimeout(r, 20));
      return answer({ highWatermark: 5n });
    });
    const { r, errors, logs } = readerOn(fake);
    try {
      assert.deepEqual(await read(r, 7), ["0:a", "1:b", "2:c", "3:d", "4:e", "3:D", "4:E"]);
      const truncations = errors.filter((e) => e instanceof LogTruncationError);
      assert.equal(truncations.length, 1);
      const e = truncations[0] as LogTruncationError;
      assert.deepEqual([e.topic, e.partition, e.fetchOffset, e.divergingOffset], ["t", 0, 5, 3]);
      assert.ok(
        logs.some((l) => /log truncation in t\/0.*fetching from offset 3/.test(l)),
        logs.join("\n"),
      );
      const sent = fetched(fake);
      assert.deepEqual(sent[0], { offset: 0, lastFetchedEpoch: -1, currentLeaderEpoch: 5 });
      assert.deepEqual(sent[1], { offset: 5, lastFetchedEpoch: 5, currentLeaderEpoch: 5 });
      assert.deepEqual(sent[2], { offset: 3, lastFetchedEpoch: 5, currentLeaderEpoch: 5 });
      await waitFor("a fetch after the new batch", () => fetched(fake).length > 3, 5_000);
      assert.deepEqual(fetched(fake)[3], { offset: 5, lastFetchedEpoch: 6, currentLeaderEpoch: 5 });
    } finally {
      await r.close();
    }
  });

  test("a leader change: OffsetForLeaderEpoch before fetching from the new leader", async () => {
    const { fake, cluster } = fakeCluster();
    const old = await batch(0, 5, ["a", "b", "c", "d", "e"]);
    const replaced = await batch(2, 7, ["C"]);
    let moved = false;
    fake.on(Fetch, async (req: FetchRequest) => {
      const p = req.topics![0].partitions![0];
      const offset = Number(p.fetchOffset);
      if (!moved && offset === 0) return answer({ records: old });
      if (!moved) {
        // The leader changes (an unclean election): epoch 7 now.
        moved = true;
        cluster.leaderEpoch = 7;
        return answer({ errorCode: ErrorCodes.NOT_LEADER_OR_FOLLOWER });
      }
      if (offset === 2 && p.currentLeaderEpoch === 7) {
        return answer({ records: replaced, highWatermark: 3n });
      }
      await new Promise((r) => setTimeout(r, 20));
      return answer({ highWatermark: 3n });
    });
    const asked: OffsetForLeaderEpochRequest[] = [];
    fake.on(OffsetForLeaderEpoch, (req: OffsetForLeaderEpochRequest) => {
      asked.push(req);
      return {
        ...defaultOffsetForLeaderEpochResponse(),
        topics: [{
          topic: "t",
          partitions: [{ errorCode: 0, partition: 0, leaderEpoch: 5, endOffset: 2n }],
        }],
      };
    });
    const { r, errors } = readerOn(fake);
    try {
      assert.deepEqual(await read(r, 6), ["0:a", "1:b", "2:c", "3:d", "4:e", "2:C"]);
      assert.equal(asked.length, 1);
      assert.deepEqual(asked[0].topics![0].partitions, [{
        partition: 0,
        currentLeaderEpoch: 7,
        leaderEpoch: 5,
      }]);
      const e = errors.find((e) => e instanceof LogTruncationError) as LogTruncationError;
      assert.deepEqual([e.fetchOffset, e.divergingOffset], [5, 2]);
      assert.ok(
        fetched(fake).every((f) => f.offset !== 5 || f.currentLeaderEpoch === 5),
        "nothing fetched at 5 from the new leader",
      );
    } finally {
      await r.close();
    }
  });
});
