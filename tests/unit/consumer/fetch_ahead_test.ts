// The fetch sent ahead (the next Fetch goes out as soon as an answer arrives, from where its
// batch headers end, before the answer is decoded), against a fake broker: what the headers
// tell (fetchedEnd) matches what the decode finds; an answer whose decode fails makes the
// early answer unused and the partition is fetched again from where it was; errors and
// truncations send no early fetch; a seek, remove or pause while it is out delivers nothing
// of the old position.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DecodeError, type Message, Reader } from "../../../mod.ts";
import { fetchedEnd, fetchedMessages } from "../../../src/cluster/requests/fetched.ts";
import type { Cluster } from "../../../src/cluster/cluster.ts";
import { Fetcher } from "../../../src/consumer/_fetcher.ts";
import { FirstOffset } from "../../../src/offsets.ts";
import { ErrorCodes } from "../../../src/protocol/errors.ts";
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  Fetch,
  type FetchRequest,
  type FetchResponsePartitionData,
} from "../../../src/protocol/generated/fetch.ts";
import { encodeRecordBatch } from "../../../src/protocol/records.ts";
import { crc32c } from "../../../src/wire/crc32c.ts";
import { waitFor } from "../../_eventually.ts";
import { answerListOffsets, FakeKafka, withCluster } from "../_fake_broker.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A v2 batch of `n` records from `baseOffset` (values `<offset>`), under leader `epoch`. */
const batch = (baseOffset: number, n: number, epoch = 0) =>
  encodeRecordBatch(
    Array.from({ length: n }, (_, i) => ({ value: enc.encode(String(baseOffset + i)) })),
    { baseOffset, partitionLeaderEpoch: epoch },
  );

/** `b` made a control batch (attributes bit 5), its CRC fixed up. */
function asControl(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c[22] |= 0x20;
  new DataView(c.buffer).setUint32(17, crc32c(c.subarray(21)));
  return c;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("fetchedEnd", () => {
  const part = (records: Uint8Array | null) => ({
    ...defaultFetchResponsePartitionData(),
    highWatermark: 100n,
    records,
  });
  /** fetchedEnd of `records` from `offset`, checked against what decoding them finds. */
  async function endOf(records: Uint8Array | null, offset: number) {
    const end = fetchedEnd(records, offset);
    const decoded = await fetchedMessages(part(records), "t", 0, offset, {
      readCommitted: false,
      maxBytes: 1 << 20,
    });
    assert.deepEqual(end, { offset: decoded.endOffset, epoch: decoded.lastEpoch });
    return end;
  }

  test("nothing fetched: the same offset, no epoch", async () => {
    assert.deepEqual(await endOf(null, 7), { offset: 7, epoch: -1 });
    assert.deepEqual(await endOf(new Uint8Array(0), 7), { offset: 7, epoch: -1 });
  });

  test("whole batches: past the last one, with its epoch", async () => {
    const records = concat(await batch(0, 3, 4), await batch(3, 2, 5));
    assert.deepEqual(await endOf(records, 0), { offset: 5, epoch: 5 });
    // A batch that starts before the offset asked for (a compressed one) still ends it.
    assert.deepEqual(await endOf(records, 4), { offset: 5, epoch: 5 });
  });

  test("a partial trailing batch is left out, as the decode leaves it", async () => {
    const whole = await batch(0, 3, 4), next = await batch(3, 3, 5);
    for (const cut of [5, 17, 26, 27, next.length - 1]) {
      const records = concat(whole, next.subarray(0, cut));
      assert.deepEqual(await endOf(records, 0), { offset: 3, epoch: 4 }, `cut at ${cut}`);
    }
    // Only a partial batch (larger than the fetch's limit): fetched again from the same offset.
    assert.deepEqual(await endOf(next.subarray(0, 40), 3), { offset: 3, epoch: -1 });
  });

  test("control batches count: the next fetch starts past them", async () => {
    const records = concat(await batch(0, 2, 3), asControl(await batch(2, 1, 3)));
    assert.deepEqual(await endOf(records, 0), { offset: 3, epoch: 3 });
    assert.deepEqual(await endOf(asControl(await batch(9, 1, 6)), 9), { offset: 10, epoch: 6 });
  });

  test("empty batches (compacted away, only headers left) still move the offset", async () => {
    // A batch whose records were all removed keeps its offsets (lastOffsetDelta).
    const emptied = (await batch(0, 1, 2)).slice(0, 61);
    const view = new DataView(emptied.buffer);
    view.setInt32(8, 61 - 12); // length
    view.setInt32(23, 4); // lastOffsetDelta: offsets 0..4
    view.setInt32(57, 0); // record count
    view.setUint32(17, crc32c(emptied.subarray(21)));
    assert.deepEqual(await endOf(emptied, 0), { offset: 5, epoch: 2 });
  });

  test("only decoding can tell: legacy message sets and malformed sizes give undefined", async () => {
    // magic 0 and 1 (Kafka's own bytes of three records from offset 100): no headers to read.
    const legacy = JSON.parse(
      readFileSync(new URL("../../golden/legacy_message_sets.json", import.meta.url), "utf8"),
    ) as { messageSets: { magic: number; hex: string }[] };
    for (const set of legacy.messageSets) {
      const bytes = Uint8Array.from(set.hex.match(/../g)!, (b) => parseInt(b, 16));
      assert.equal(fetchedEnd(bytes, 100), undefined, `magic ${set.magic}`);
      // After a v2 batch too: the walk stops at the first one it cannot read.
      assert.equal(fetchedEnd(concat(await batch(90, 10), bytes), 90), undefined);
    }
    const good = await batch(0, 3);
    for (const size of [-12, -1, 0, 14]) {
      const bad = good.slice();
      new DataView(bad.buffer).setInt32(8, size);
      assert.equal(fetchedEnd(bad, 0), undefined, `batch length ${size}`);
      await assert.rejects(
        fetchedMessages(part(bad), "t", 0, 0, { readCommitted: false, maxBytes: 1 << 20 }),
        DecodeError,
      );
    }
    const unknownMagic = good.slice();
    unknownMagic[16] = 3;
    assert.equal(fetchedEnd(unknownMagic, 0), undefined);
  });
});

/**
 * A fake broker holding topic `t`: per partition, batches of three records (values are
 * their offsets). Each Fetch gets at most one batch per partition, so reading takes many
 * fetches; one with nothing for any partition waits a little, as maxWait would.
 */
class FakeLog {
  readonly fake: FakeKafka;
  readonly #logs: Map<number, { base: number; records: Uint8Array }[]> = new Map();
  /** Every Fetch's partitions as asked: `partition@offset`, in arrival order. */
  readonly asked: string[][] = [];
  /** The node each of them went to. */
  readonly nodes: number[] = [];
  /** Holds a fetch's answer (by its index in `asked`) until the promise settles. */
  hold: (index: number) => Promise<void> | undefined = () => undefined;
  /** Replaces a partition's answer (by fetch index, partition and offset), if it returns one. */
  answer: (
    index: number,
    partition: number,
    offset: number,
    epoch: number,
  ) => Partial<FetchResponsePartitionData> | undefined = () => undefined;

  private constructor(fake: FakeKafka) {
    this.fake = fake;
  }

  static async create(
    partitions: number,
    batches: number,
    logStart: (partition: number) => number = () => 0,
    nodes: number[] = [1],
  ): Promise<FakeLog> {
    const log = new FakeLog(new FakeKafka(nodes));
    log.fake.createTopic("t", partitions);
    for (let p = 0; p < partitions; p++) {
      const list = [];
      for (let b = 0; b < batches; b++) {
        const base = logStart(p) + b * 3;
        list.push({ base, records: await batch(base, 3) });
      }
      log.#logs.set(p, list);
    }
    log.fake.on(Fetch, (req, ctx) => log.#fetch(req, ctx.node.id));
    return log;
  }

  /** The offsets partition `p` was asked for, fetch by fetch. */
  offsets(p: number): number[] {
    return this.asked.flatMap((a) =>
      a.filter((s) => s.startsWith(`${p}@`)).map((s) => Number(s.split("@")[1]))
    );
  }

  async #fetch(req: FetchRequest, node: number) {
    const index = this.asked.length;
    this.nodes.push(node);
    this.asked.push(
      (req.topics ?? []).flatMap((t) =>
        (t.partitions ?? []).map((p) => `${p.partition}@${p.fetchOffset}`)
      ),
    );
    const held = this.hold(index);
    if (held) await held;
    let any = false;
    const responses = (req.topics ?? []).map((t) => ({
      topic: t.topic ?? "",
      topicId: t.topicId ?? "",
      partitions: (t.partitions ?? []).map((p) => {
        const offset = Number(p.fetchOffset);
        const log = this.#logs.get(p.partition ?? 0)!;
        const end = log.length ? log[log.length - 1].base + 3 : 0;
        const base = {
          ...defaultFetchResponsePartitionData(),
          partitionIndex: p.partition ?? 0,
          highWatermark: BigInt(end),
        };
        const replaced = this.answer(index, p.partition ?? 0, offset, p.lastFetchedEpoch ?? -1);
        if (replaced) {
          any = true;
          return { ...base, ...replaced };
        }
        const found = log.find((b) => b.base <= offset && offset < b.base + 3);
        if (found) any = true;
        return { ...base, records: found?.records ?? null };
      }),
    }));
    if (!any) await sleep(10);
    return { ...defaultFetchResponse(), responses };
  }
}

/**
 * `n` messages read through `read`, as `partition:offset`, each value checked against its
 * offset; a read rejected with a DecodeError (a bad answer surfaced) goes to `failed`.
 */
async function readN(
  read: () => Promise<Message>,
  n: number,
  failed: unknown[] = [],
): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) {
    const m = await read().catch((e) => {
      if (!(e instanceof DecodeError)) throw e;
      failed.push(e);
    });
    if (!m) continue;
    assert.equal(dec.decode(m.value!), String(m.offset), "value matches offset");
    out.push(`${m.partition}:${m.offset}`);
  }
  return out;
}

/** Each partition's offsets, in the order read. */
function perPartition(read: string[]): Map<number, number[]> {
  const by = new Map<number, number[]>();
  for (const r of read) {
    const [p, o] = r.split(":").map(Number);
    by.set(p, [...by.get(p) ?? [], o]);
  }
  return by;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

function readerOn(log: FakeLog, partitions: number[], errors: unknown[] = []) {
  return new Reader({
    brokers: log.fake.brokers,
    connect: log.fake.connect,
    partitions: partitions.map((partition) => ({ topic: "t", partition, offset: 0 })),
    maxWait: 20,
    readBackoffMin: 10,
    readBackoffMax: 50,
    onError: (e) => errors.push(e),
    logger: () => {},
  });
}

/** A fetcher on `cluster` fetching quickly; its queue is full at `queueCapacity` and `maxBytes`. */
const fetcherOn = (cluster: Cluster, queueCapacity = 100, maxBytes = 1 << 20) =>
  new Fetcher({
    cluster,
    minBytes: 1,
    maxBytes,
    maxWait: 20,
    fetchTimeout: 5_000,
    readCommitted: false,
    checkCrcs: true,
    startOffset: FirstOffset,
    queueCapacity,
    backoffMin: 10,
    backoffMax: 50,
    log: () => {},
    logError: () => {},
  });

const within = (r: Reader) => () => r.fetchMessage({ signal: AbortSignal.timeout(10_000) });

describe("the fetch sent ahead (fake broker)", () => {
  test("a CRC failure in answer N: N+1's data for that partition is dropped, it is fetched again from N's offset, every offset comes once", async () => {
    const log = await FakeLog.create(2, 5);
    // The first answer for partition 0 at offset 3 is corrupt: one value byte flipped.
    const bad = (await batch(3, 3)).slice();
    bad[bad.length - 1] ^= 0xff;
    let corrupted = false;
    log.answer = (_i, partition, offset) => {
      if (partition !== 0 || offset !== 3 || corrupted) return undefined;
      corrupted = true;
      return { records: bad };
    };
    const errors: unknown[] = [], surfaced: unknown[] = [];
    const r = readerOn(log, [0, 1], errors);
    try {
      const read = await readN(within(r), 30, surfaced);
      const by = perPartition(read);
      assert.deepEqual(by.get(0), range(0, 15));
      assert.deepEqual(by.get(1), range(0, 15));
      assert.ok(corrupted, "the bad answer was served");
      assert.ok(
        errors.some((e) => e instanceof DecodeError && /CRC/.test(e.message)),
        String(errors),
      );
      assert.equal(surfaced.length, 1, "the reader surfaced it once");
      // 3 (the bad answer), 6 (sent ahead, unused), then 3 again.
      const p0 = log.offsets(0);
      const at = p0.indexOf(3);
      assert.deepEqual(p0.slice(at, at + 4), [3, 6, 3, 6], p0.join(","));
      assert.deepEqual(log.offsets(1).slice(0, 4), [0, 3, 6, 9], "partition 1 goes on");
    } finally {
      await r.close();
    }
  });

  test("a divergingEpoch answer sends no early fetch: the next one starts where the logs part", async () => {
    const log = await FakeLog.create(2, 3);
    const replaced = await batch(2, 2, 6);
    let diverged = false;
    log.answer = (_i, partition, offset, epoch) => {
      if (partition !== 0) return undefined;
      if (offset === 3 && epoch === 0 && !diverged) {
        diverged = true;
        return { divergingEpoch: { epoch: 0, endOffset: 2n } };
      }
      if (offset === 2) return { records: replaced };
      return undefined;
    };
    const errors: unknown[] = [];
    const r = readerOn(log, [0], errors);
    try {
      assert.deepEqual(await readN(within(r), 5), ["0:0", "0:1", "0:2", "0:2", "0:3"]);
      assert.deepEqual(log.offsets(0).slice(0, 3), [0, 3, 2], log.offsets(0).join(","));
    } finally {
      await r.close();
    }
  });

  test("OFFSET_OUT_OF_RANGE sends no early fetch: the next one starts at the log start", async () => {
    // Partition 0's log starts at 30 (older records deleted), partition 1's at 0.
    const log = await FakeLog.create(2, 2, (p) => p === 0 ? 30 : 0);
    answerListOffsets(log.fake, 30n);
    log.answer = (_i, partition, offset) =>
      partition === 0 && offset < 30 ? { errorCode: ErrorCodes.OFFSET_OUT_OF_RANGE } : undefined;
    const r = readerOn(log, [0, 1]);
    try {
      const by = perPartition(await readN(within(r), 12));
      assert.deepEqual(by.get(0), range(30, 36));
      assert.deepEqual(by.get(1), range(0, 6));
      // An early fetch would have asked for 0 again.
      assert.deepEqual(log.offsets(0).slice(0, 2), [0, 30], log.offsets(0).join(","));
    } finally {
      await r.close();
    }
  });

  test("a seek while the early fetch is out: nothing of the old position comes after it", async () => {
    const log = await FakeLog.create(1, 10);
    answerListOffsets(log.fake);
    let release!: () => void;
    const released = new Promise<void>((resolve) => release = resolve);
    log.hold = (i) => i === 1 ? released : undefined;
    const r = new Reader({
      brokers: log.fake.brokers,
      connect: log.fake.connect,
      topic: "t",
      maxWait: 20,
      logger: () => {},
    });
    try {
      assert.deepEqual(await readN(within(r), 3), ["0:0", "0:1", "0:2"]);
      await waitFor("the early fetch", () => log.asked.length >= 2, 5_000, 5);
      assert.deepEqual(log.asked[1], ["0@3"], "sent before the reader asked for more");
      r.setOffset(12);
      release();
      assert.deepEqual(await readN(within(r), 6), ["0:12", "0:13", "0:14", "0:15", "0:16", "0:17"]);
    } finally {
      await r.close();
    }
  });

  test("remove and pause while the early fetch is out", async () => {
    const log = await FakeLog.create(3, 10);
    let release!: () => void;
    const released = new Promise<void>((resolve) => release = resolve);
    log.hold = (i) => i === 1 ? released : undefined;
    await withCluster(log.fake, async (cluster) => {
      const f = fetcherOn(cluster);
      const next = () => f.next(AbortSignal.timeout(10_000));
      try {
        f.add([0, 1, 2].map((partition) => ({ topic: "t", partition, offset: 0 })));
        const first = perPartition(await readN(next, 9));
        for (const p of [0, 1, 2]) assert.deepEqual(first.get(p), [0, 1, 2]);
        await waitFor("the early fetch", () => log.asked.length >= 2, 5_000, 5);
        assert.deepEqual(log.asked[1].sort(), ["0@3", "1@3", "2@3"]);
        f.remove([{ topic: "t", partition: 0 }]);
        f.pause([{ topic: "t", partition: 1 }]);
        release();
        // Only partition 2 comes: 0 is gone, 1 held back.
        const later = perPartition(await readN(next, 27));
        assert.deepEqual([...later.keys()], [2]);
        assert.deepEqual(later.get(2), range(3, 30));
        await sleep(50);
        assert.equal(f.poll(), undefined, "nothing but partition 2");
        // Partition 1 goes on from where it was paused, partition 0 from where it is added.
        f.resume([{ topic: "t", partition: 1 }]);
        f.add([{ topic: "t", partition: 0, offset: 21 }]);
        const resumed = perPartition(await readN(next, 27 + 9));
        assert.deepEqual(resumed.get(1), range(3, 30));
        assert.deepEqual(resumed.get(0), range(21, 30));
        await sleep(50);
        assert.equal(f.poll(), undefined, "every offset once");
      } finally {
        await f.close(new Error("closed"));
      }
    });
  });

  test("a full queue sends no early fetch: fetching waits for the reader", async () => {
    const log = await FakeLog.create(1, 10);
    await withCluster(log.fake, async (cluster) => {
      // Full at 3 messages (and 1 byte).
      const f = fetcherOn(cluster, 3, 1);
      try {
        f.add([{ topic: "t", partition: 0, offset: 0 }]);
        await waitFor("two fetches", () => log.asked.length >= 2, 5_000, 5);
        await sleep(100);
        // The first answer found the queue empty and sent the second at once; the second found
        // it full (the first's three messages) and sent nothing.
        assert.deepEqual(log.asked, [["0@0"], ["0@3"]]);
        assert.equal(f.queued, 6);
        const next = () => f.next(AbortSignal.timeout(10_000));
        assert.deepEqual(perPartition(await readN(next, 30)).get(0), range(0, 30));
      } finally {
        await f.close(new Error("closed"));
      }
    });
  });

  test("a preferred read replica sends no early fetch: the partition moves first", async () => {
    // One partition, led by node 1, whose first answer points to node 2 (same rack).
    const log = await FakeLog.create(1, 5, () => 0, [1, 2]);
    const first = await batch(0, 3);
    log.answer = (i) => i === 0 ? { records: first, preferredReadReplica: 2 } : undefined;
    await withCluster(log.fake, async (cluster) => {
      const f = fetcherOn(cluster);
      try {
        f.add([{ topic: "t", partition: 0, offset: 0 }]);
        const next = () => f.next(AbortSignal.timeout(10_000));
        assert.deepEqual(perPartition(await readN(next, 15)).get(0), range(0, 15));
        assert.deepEqual(log.nodes.slice(0, 2), [1, 2], "the second fetch went to the replica");
        assert.equal(log.nodes.filter((n) => n === 1).length, 1, "node 1 was asked once");
      } finally {
        await f.close(new Error("closed"));
      }
    });
  });
});
