// Faults that land while a rebalance takes a partition away: a broker that stalls the fetch
// in flight, and then answers it with corrupt bytes for the partition being given up. The
// revoke must not wait for the stalled fetch, and the corrupt answer about a partition the
// member no longer reads must not fail the reads of the partitions it keeps.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, type Message, Reader } from "../../../mod.ts";
import {
  ConsumerGroupHeartbeat,
  type ConsumerGroupHeartbeatRequest,
} from "../../../src/protocol/generated/consumer_group_heartbeat.ts";
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  Fetch,
  type FetchRequest,
  type FetchResponse,
} from "../../../src/protocol/generated/fetch.ts";
import {
  defaultOffsetFetchResponse,
  OffsetFetch,
} from "../../../src/protocol/generated/offset_fetch.ts";
import { encodeRecordBatch } from "../../../src/protocol/records.ts";
import { waitFor } from "../../_eventually.ts";
import { assignment, twoPartitions } from "./_two_partitions.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One record at `offset` of partition `p`; `corrupt` flips a byte its CRC covers. */
async function recordAt(p: number, offset: number, corrupt: boolean): Promise<Uint8Array> {
  const value = new TextEncoder().encode(`p${p}-${offset}`);
  const bytes = await encodeRecordBatch([{ value }], { baseOffset: offset });
  if (corrupt) bytes[bytes.length - 2] ^= 0xff;
  return bytes;
}

describe("faults during a revoke", () => {
  test("a stalled fetch does not hold the revoke up; its corrupt late answer fails no read", async () => {
    const { fake, topicId } = twoPartitions();
    let owned = [0, 1];
    let epoch = 1;
    fake.on(ConsumerGroupHeartbeat, () => assignment(topicId, owned, epoch));
    // Nothing committed: the member starts at the log start (offset 0).
    fake.on(OffsetFetch, () => ({ ...defaultOffsetFetchResponse(), groups: [] }));

    // Every fetch answers one record per partition asked for, at the offset asked for; the
    // fetch the test holds answers only when released, partition 1's record then corrupt.
    let hold = false;
    let held: { partitions: number[]; release(): void } | undefined;
    const fetched: number[][] = [];
    const answer = async (req: FetchRequest, corrupt: boolean): Promise<FetchResponse> => ({
      ...defaultFetchResponse(),
      responses: await Promise.all((req.topics ?? []).map(async (t) => ({
        topic: t.topic ?? "",
        topicId: t.topicId ?? "",
        partitions: await Promise.all((t.partitions ?? []).map(async (p) => {
          const offset = Number(p.fetchOffset ?? 0n);
          return {
            ...defaultFetchResponsePartitionData(),
            partitionIndex: p.partition ?? 0,
            highWatermark: BigInt(offset + 1_000),
            records: await recordAt(p.partition ?? 0, offset, corrupt && p.partition === 1),
          };
        })),
      }))),
    });
    fake.on(Fetch, async (req) => {
      const partitions = (req.topics ?? []).flatMap((t) =>
        (t.partitions ?? []).map((p) => p.partition ?? 0)
      );
      fetched.push(partitions);
      if (hold) {
        hold = false;
        return new Promise<FetchResponse>((resolve) => {
          held = { partitions, release: () => resolve(answer(req, true)) };
        });
      }
      await sleep(10);
      return answer(req, false);
    });

    const errors: unknown[] = [];
    const reader = new Reader({
      brokers: fake.brokers,
      topic: "t",
      groupId: "g",
      groupProtocol: "consumer",
      connect: fake.connect,
      maxWait: 50,
      queueCapacity: 50,
      onError: (e) => errors.push(e),
    });
    try {
      await waitFor("both partitions fetched", () => fetched.some((f) => f.length === 2));
      hold = true;
      await waitFor("a fetch of both partitions held", () => held !== undefined);
      assert.deepEqual(held!.partitions.sort(), [0, 1]);

      // The rebalance takes partition 1 away while its fetch is stalled.
      owned = [0];
      epoch = 2;
      await waitFor("partition 1 given up", () => reader.assignments.length === 1);
      const acked = () =>
        fake.requests("ConsumerGroupHeartbeat").some((r) => {
          const body = r.body as ConsumerGroupHeartbeatRequest;
          return body.memberEpoch === 2 &&
            body.topicPartitions?.[0]?.partitions?.join() === "0";
        });
      // Only the test answers the stalled fetch, and not before this: a revoke that waited
      // for it would never be acknowledged, and this wait would fail.
      await waitFor("the new assignment acknowledged while the fetch is stalled", acked);

      // The stalled fetch answers at last, with a corrupt record for partition 1.
      held!.release();
      const messages: Message[] = [];
      const failures: unknown[] = [];
      while (messages.length < 20) {
        try {
          messages.push(await reader.fetchMessage({ signal: AbortSignal.timeout(5_000) }));
        } catch (e) {
          failures.push(e);
          if (failures.length > 5) break;
        }
      }
      assert.deepEqual(failures, [], "no read fails over a partition no longer read");
      const ofPartition1 = messages.filter((m) => m.partition === 1);
      // Messages of partition 1 queued before the revoke were dropped with it.
      assert.deepEqual(ofPartition1, []);
      const offsets = messages.map((m) => m.offset);
      assert.deepEqual(offsets, offsets.map((_, i) => offsets[0] + i), "partition 0 in order");
      assert.ok(
        !errors.some((e) => e instanceof DecodeError),
        `the corrupt answer for partition 1 is not reported as a failure: ${errors}`,
      );
    } finally {
      await reader.close();
    }
  });
});
