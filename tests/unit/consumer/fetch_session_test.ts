// Incremental fetch sessions (KIP-227): the session's bookkeeping on its own, then a Reader
// against a fake broker that keeps sessions the way Kafka does (full fetch at epoch 0, only
// changed partitions after, errors for unknown sessions or wrong epochs, epoch -1 closes).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Reader } from "../../../mod.ts";
import type { FetchPartition } from "../../../src/cluster/requests/fetch.ts";
import { FetchSession } from "../../../src/consumer/_fetch_session.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  Fetch,
  type FetchRequest,
} from "../../../src/protocol/generated/fetch.ts";
import { encodeRecordBatch } from "../../../src/protocol/records.ts";
import { FakeKafka } from "../_fake_broker.ts";

const part = (partition: number, offset: number): FetchPartition => ({
  topic: "t",
  topicId: "id",
  partition,
  offset,
  leaderEpoch: 3,
});
const names = (ps: readonly FetchPartition[]) => ps.map((p) => `${p.partition}@${p.offset}`);

describe("FetchSession", () => {
  test("full first, then only what changed; removed partitions are forgotten", () => {
    const s = new FetchSession();
    const first = s.next([part(0, 0), part(1, 0), part(2, 5)]);
    assert.deepEqual([first.sessionId, first.sessionEpoch], [0, 0]);
    assert.deepEqual(names(first.partitions), ["0@0", "1@0", "2@5"]);
    assert.equal(s.answered(first, 0, 42), true);
    assert.equal(s.id, 42);

    const idle = s.next([part(0, 0), part(1, 0), part(2, 5)]);
    assert.deepEqual([idle.sessionId, idle.sessionEpoch], [42, 1]);
    assert.deepEqual([idle.partitions, idle.forgotten], [[], []], "nothing changed");
    s.answered(idle, 0, 42);

    const moved = s.next([part(0, 0), part(1, 7), part(3, 0)]);
    assert.equal(moved.sessionEpoch, 2);
    assert.deepEqual(names(moved.partitions), ["1@7", "3@0"], "a new offset and a new partition");
    assert.deepEqual(names(moved.forgotten), ["2@5"]);
    s.answered(moved, 0, 42);
    const epochChanged = s.next([part(0, 0), part(1, 7), { ...part(3, 0), leaderEpoch: 4 }]);
    assert.deepEqual(names(epochChanged.partitions), ["3@0"], "a new leader epoch is sent");
    assert.equal(epochChanged.forgotten.length, 0, "forgotten ones stay forgotten");
  });

  test("an unknown session starts a new one; a wrong epoch or no answer closes and reopens", () => {
    const s = new FetchSession();
    const open = () => s.answered(s.next([part(0, 0)]), 0, 42);
    open();
    const lost = s.next([part(0, 0)]);
    assert.equal(s.answered(lost, ErrorCodes.FETCH_SESSION_ID_NOT_FOUND, 0), false);
    const again = s.next([part(0, 0)]);
    assert.deepEqual([again.sessionId, again.sessionEpoch, names(again.partitions)], [0, 0, [
      "0@0",
    ]]);
    s.answered(again, 0, 43);

    const stale = s.next([part(0, 0)]);
    assert.equal(s.answered(stale, ErrorCodes.INVALID_FETCH_SESSION_EPOCH, 0), false);
    const reopen = s.next([part(0, 0)]);
    assert.deepEqual([reopen.sessionId, reopen.sessionEpoch], [43, 0], "closes 43, opens anew");

    s.answered(reopen, 0, 44);
    s.next([part(0, 1)]);
    s.failed();
    const afterFailure = s.next([part(0, 1)]);
    assert.deepEqual([afterFailure.sessionId, afterFailure.sessionEpoch], [44, 0]);
    assert.deepEqual(names(afterFailure.partitions), ["0@1"]);
  });

  test("no session granted: every fetch is full; close ends a session once; disabled is sessionless", () => {
    const s = new FetchSession();
    s.answered(s.next([part(0, 0)]), 0, 0);
    assert.equal(s.next([part(0, 0)]).sessionEpoch, 0, "asks again for a session");
    assert.equal(s.close(), undefined, "nothing to close");
    s.answered(s.next([part(0, 0)]), 0, 9);
    assert.deepEqual(s.close(), { sessionId: 9, sessionEpoch: -1, partitions: [], forgotten: [] });
    assert.equal(s.close(), undefined);

    const off = new FetchSession(false);
    const req = off.next([part(0, 0), part(1, 0)]);
    assert.deepEqual([req.sessionId, req.sessionEpoch, req.partitions.length], [0, -1, 2]);
    off.answered(req, 0, 0);
    assert.equal(off.next([part(0, 0)]).sessionEpoch, -1);
  });
});

/** A broker log of `t`: partition 1 holds two records, the others none. */
async function fakeWithSessions() {
  const fake = new FakeKafka([1]);
  fake.createTopic("t", 3);
  const records = await encodeRecordBatch([
    { value: new TextEncoder().encode("a") },
    { value: new TextEncoder().encode("b") },
  ]);
  const sessions = new Map<number, { epoch: number; offsets: Map<number, number> }>();
  let nextId = 100;
  const broker = { evictAll: () => sessions.clear(), sessions };
  fake.on(Fetch, async (req: FetchRequest) => {
    const id = req.sessionId ?? 0;
    const epoch = req.sessionEpoch ?? -1;
    const res = { ...defaultFetchResponse(), sessionId: 0 };
    let session;
    if (epoch <= 0) {
      sessions.delete(id);
      if (epoch === 0) {
        session = { epoch: 1, offsets: new Map<number, number>() };
        res.sessionId = nextId++;
        sessions.set(res.sessionId, session);
      }
    } else {
      session = sessions.get(id);
      if (!session) return { ...res, errorCode: ErrorCodes.FETCH_SESSION_ID_NOT_FOUND };
      if (session.epoch !== epoch) {
        return { ...res, errorCode: ErrorCodes.INVALID_FETCH_SESSION_EPOCH };
      }
      session.epoch++;
      res.sessionId = id;
    }
    const named = new Map<number, number>();
    for (const t of req.topics ?? []) {
      for (const p of t.partitions ?? []) named.set(p.partition ?? 0, Number(p.fetchOffset));
    }
    for (const f of req.forgottenTopicsData ?? []) {
      for (const p of f.partitions ?? []) session?.offsets.delete(p);
    }
    for (const [p, o] of named) session?.offsets.set(p, o);
    // Full fetches answer every partition named; incremental ones those with records (or new).
    const answer = [...(epoch <= 0 ? named : session!.offsets)].filter(([p, o]) =>
      epoch <= 0 || named.has(p) || (p === 1 && o < 2)
    );
    if (answer.every(([p, o]) => !(p === 1 && o < 2))) await new Promise((r) => setTimeout(r, 20));
    res.responses = [{
      topic: "t",
      topicId: fake.topics.get("t")!.id,
      partitions: answer.map(([p, o]) => ({
        ...defaultFetchResponsePartitionData(),
        partitionIndex: p,
        highWatermark: p === 1 ? 2n : 0n,
        records: p === 1 && o < 2 ? records : null,
      })),
    }];
    return res;
  });
  return { fake, broker };
}

const fetches = (fake: FakeKafka) =>
  fake.requests("Fetch").map((r) => {
    const b = r.body as FetchRequest;
    const ps = (b.topics ?? []).flatMap((t) =>
      (t.partitions ?? []).map((p) => `${p.partition}@${p.fetchOffset}`)
    );
    const forgotten = (b.forgottenTopicsData ?? []).flatMap((t) => t.partitions ?? []);
    return { id: b.sessionId, epoch: b.sessionEpoch, ps, forgotten };
  });

describe("Reader fetch sessions (fake broker)", () => {
  test("fetches name only changed partitions; an evicted session starts over; close ends it", async () => {
    const { fake, broker } = await fakeWithSessions();
    const reader = new Reader({
      brokers: fake.brokers,
      connect: fake.connect,
      partitions: [0, 1, 2].map((partition) => ({ topic: "t", partition, offset: 0 })),
      maxWait: 20,
    });
    try {
      const got = [await reader.fetchMessage(), await reader.fetchMessage()];
      assert.deepEqual(got.map((m) => `${m.partition}@${m.offset}`), ["1@0", "1@1"]);
      await new Promise((r) => setTimeout(r, 150));
      const [first, second, ...rest] = fetches(fake);
      assert.deepEqual(first, { id: 0, epoch: 0, ps: ["0@0", "1@0", "2@0"], forgotten: [] });
      assert.deepEqual(second, { id: 100, epoch: 1, ps: ["1@2"], forgotten: [] });
      assert.ok(rest.length >= 2, `${rest.length} more fetches`);
      assert.ok(rest.every((f, i) => f.id === 100 && f.epoch === i + 2 && f.ps.length === 0));

      reader.pause([{ topic: "t", partition: 2 }]);
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(
        fetches(fake).some((f) => f.forgotten.includes(2) && f.ps.length === 0),
        "a paused partition leaves the session",
      );
      broker.evictAll();
      await new Promise((r) => setTimeout(r, 150));
      const log = fetches(fake);
      const full = log.findIndex((f, i) => i > 0 && f.epoch === 0);
      assert.ok(full > 0, "a full fetch after the eviction");
      assert.deepEqual(log[full], { id: 0, epoch: 0, ps: ["0@0", "1@2"], forgotten: [] });
      assert.equal(log[full + 1].epoch, 1);
      assert.deepEqual(log[full + 1].ps, []);
    } finally {
      await reader.close();
    }
    const last = fetches(fake).at(-1)!;
    assert.equal(last.epoch, -1, "close ends the session");
    assert.equal(broker.sessions.size, 0);
  });

  test("fetchSessions: false names every partition in every fetch", async () => {
    const { fake } = await fakeWithSessions();
    const reader = new Reader({
      brokers: fake.brokers,
      connect: fake.connect,
      partitions: [0, 1].map((partition) => ({ topic: "t", partition, offset: 0 })),
      maxWait: 20,
      fetchSessions: false,
    });
    try {
      await reader.fetchMessage();
      await reader.fetchMessage();
      await new Promise((r) => setTimeout(r, 100));
      const log = fetches(fake);
      assert.ok(log.length >= 3);
      assert.ok(log.every((f) => f.epoch === -1 && f.id === 0 && f.ps.length === 2));
      assert.deepEqual(log.at(-1)!.ps, ["0@0", "1@2"]);
    } finally {
      await reader.close();
    }
  });
});
