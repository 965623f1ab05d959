import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Batch } from "../../../src/batch.ts";
import type { Message } from "../../../src/message.ts";
import { parseAddress } from "../../../src/dialer.ts";
import { committedRecords } from "../../../src/protocol/read_committed.ts";
import type { FetchedRecord, RecordBatch } from "../../../src/protocol/records.ts";

const message = (offset: number, value: string): Message => ({
  topic: "t",
  partition: 0,
  offset,
  highWaterMark: 10,
  key: null,
  value: new TextEncoder().encode(value),
  headers: [],
  time: new Date(0),
});

describe("Batch", () => {
  test("iteration yields every message, then steps over trailing unseen records and releases", async () => {
    let released = -1;
    const batch = new Batch([message(3, "a"), message(4, "b")], {
      offset: 3,
      endOffset: 7, // e.g. a transaction marker at 5 and 6
      throttle: 0,
      highWaterMark: 7,
    }, (next) => released = next);
    const seen: number[] = [];
    for await (const m of batch) seen.push(m.offset);
    assert.deepEqual(seen, [3, 4]);
    assert.equal(batch.offset, 7);
    assert.equal(released, 7);
  });

  test("read copies values; a short buffer is a RangeError and consumes nothing", async () => {
    const batch = new Batch(
      [message(0, "hello")],
      { offset: 0, throttle: 0, highWaterMark: 1 },
      () => {},
    );
    await assert.rejects(batch.read(new Uint8Array(2)), RangeError);
    const buf = new Uint8Array(16);
    assert.equal(await batch.read(buf), 5);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), "hello");
    assert.equal(await batch.read(buf), null);
  });

  test("a batch that ended with a broker error throws it after its messages", async () => {
    const err = new Error("OFFSET_OUT_OF_RANGE");
    const batch = new Batch(
      [message(0, "x")],
      { offset: 0, throttle: 0, highWaterMark: 1, err },
      () => {},
    );
    assert.equal((await batch.readMessage())!.offset, 0);
    await assert.rejects(batch.readMessage(), err);
  });

  test("close releases once", async () => {
    let releases = 0;
    const batch = new Batch([], { offset: 5, throttle: 0, highWaterMark: 5 }, () => releases++);
    await batch.close();
    await batch.close();
    assert.equal(releases, 1);
  });
});

describe("parseAddress", () => {
  test("host:port, [v6]:port, and clear errors", () => {
    assert.deepEqual(parseAddress("127.0.0.1:9092"), { host: "127.0.0.1", port: 9092 });
    assert.deepEqual(parseAddress("[::1]:9093"), { host: "::1", port: 9093 });
    assert.deepEqual(parseAddress("broker-1.example:19092"), {
      host: "broker-1.example",
      port: 19092,
    });
    for (const bad of ["no-port", ":9092", "host:x"]) {
      assert.throws(() => parseAddress(bad), {
        name: "TypeError",
        message: new RegExp(bad.replace(/[[\]]/g, "\\$&")),
      });
    }
    for (const bad of ["host:0", "host:70000", "host:-5"]) {
      assert.throws(() => parseAddress(bad), {
        name: "RangeError",
        message: new RegExp(`"${bad}": port must be 1–65535`),
      });
    }
  });
});

describe("committedRecords", () => {
  const rec = (offset: number): FetchedRecord => ({
    offset,
    timestamp: 0,
    key: null,
    value: null,
    headers: [],
  });
  const batch = (base: number, n: number, fields: Partial<RecordBatch>): RecordBatch => ({
    magic: 2,
    baseOffset: base,
    partitionLeaderEpoch: 0,
    compression: 0,
    timestampType: 0,
    transactional: false,
    control: false,
    lastOffsetDelta: n - 1,
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId: -1n,
    producerEpoch: 0,
    baseSequence: 0,
    records: Array.from({ length: n }, (_, i) => rec(base + i)),
    ...fields,
  });
  const marker = (offset: number, producerId: bigint, type: number): RecordBatch =>
    batch(offset, 1, {
      control: true,
      transactional: true,
      producerId,
      records: [{
        ...rec(offset),
        key: Uint8Array.from([0, 0, 0, type]),
        value: new Uint8Array(6),
      }],
    });

  test("drops aborted producers' batches until their abort marker, and every control batch", () => {
    const batches = [
      batch(0, 2, {}), // plain
      batch(2, 2, { transactional: true, producerId: 7n }), // aborted
      batch(4, 1, { transactional: true, producerId: 8n }), // committed
      marker(5, 7n, 0), // abort for 7
      marker(6, 8n, 1), // commit for 8
      batch(7, 1, { transactional: true, producerId: 7n }), // 7 again, after its abort: kept
    ];
    const kept = committedRecords(batches, [{ producerId: 7n, firstOffset: 2n }]);
    assert.deepEqual(kept.map((r) => r.offset), [0, 1, 4, 7]);
  });
});
