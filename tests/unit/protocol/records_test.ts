import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  readControlRecord,
  readRecordBatches,
  writeRecordBatch,
} from "../../../src/protocol/records.ts";
import { ByteWriter } from "../../../src/wire/byte_writer.ts";
import { DecodeError } from "../../../src/errors.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("record batch v2", () => {
  test("round-trips keys, values, nulls, headers, timestamps and offsets", async () => {
    const w = new ByteWriter(16);
    writeRecordBatch(w, [
      { key: enc("k1"), value: enc("v1"), timestamp: 1_700_000_000_000 },
      {
        key: null,
        value: null,
        headers: [{ key: "h", value: enc("x") }, { key: "n", value: null }],
      },
      { value: enc("three"), timestamp: 1_700_000_000_500 },
    ], { baseOffset: 40, producerId: 7n, producerEpoch: 1, baseSequence: 5 });
    const [batch, ...rest] = await readRecordBatches(w.bytes());
    assert.equal(rest.length, 0);
    assert.equal(batch.baseOffset, 40);
    assert.equal(batch.producerId, 7n);
    assert.equal(batch.baseSequence, 5);
    assert.equal(batch.lastOffsetDelta, 2);
    assert.equal(batch.maxTimestamp, 1_700_000_000_500);
    assert.deepEqual(batch.records.map((r) => r.offset), [40, 41, 42]);
    assert.deepEqual(batch.records[0].key, enc("k1"));
    assert.equal(batch.records[1].key, null);
    assert.equal(batch.records[1].value, null);
    assert.deepEqual(batch.records[1].headers, [{ key: "h", value: enc("x") }, {
      key: "n",
      value: null,
    }]);
    assert.equal(batch.records[1].timestamp, 1_700_000_000_000);
    assert.equal(batch.records[2].timestamp, 1_700_000_000_500);
  });

  test("a partial trailing batch is left out; two whole batches both decode", async () => {
    const w = new ByteWriter();
    writeRecordBatch(w, [{ value: enc("a") }], { baseOffset: 0 });
    writeRecordBatch(w, [{ value: enc("b") }], { baseOffset: 1 });
    const all = w.bytes();
    assert.equal((await readRecordBatches(all)).length, 2);
    assert.equal((await readRecordBatches(all.subarray(0, all.length - 3))).length, 1);
  });

  test("a flipped bit fails the CRC check with a DecodeError", async () => {
    const w = new ByteWriter();
    writeRecordBatch(w, [{ value: enc("payload") }]);
    const bytes = w.bytes().slice();
    bytes[bytes.length - 2] ^= 1;
    await assert.rejects(
      readRecordBatches(bytes),
      (e: unknown) => e instanceof DecodeError && /CRC/.test(e.message),
    );
  });

  test("checkCrcs: false skips the CRC, not the checks of the records' structure", async () => {
    const w = new ByteWriter();
    writeRecordBatch(w, [{ value: enc("payload") }]);
    const bytes = w.bytes().slice();
    bytes[bytes.length - 2] ^= 1; // inside the value: only the CRC can tell
    const [batch] = await readRecordBatches(bytes, { checkCrcs: false });
    assert.equal(batch.records[0].value?.length, 7);
    assert.notDeepEqual(batch.records[0].value, enc("payload"));
    // A record length that runs past the batch is still a DecodeError.
    const broken = w.bytes().slice();
    broken[61] = 0x7e; // the first record's length varint: 63, more than the batch holds
    await assert.rejects(
      readRecordBatches(broken, { checkCrcs: false }),
      (e: unknown) => e instanceof DecodeError,
    );
  });
});

describe("legacy message sets (magic 0 and 1)", () => {
  interface Golden {
    records: { offset: number; timestamp: number; key: string | null; value: string | null }[];
    messageSets: { magic: number; compression: string; hex: string }[];
  }
  const golden: Golden = JSON.parse(
    readFileSync(
      fileURLToPath(new URL("../../golden/legacy_message_sets.json", import.meta.url)),
      "utf8",
    ),
  );
  const fromHex = (h: string) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16));
  const text = (b: Uint8Array | null) => b === null ? null : new TextDecoder().decode(b);

  for (const set of golden.messageSets) {
    test(`magic ${set.magic}, ${set.compression}: the Java client's bytes decode exactly`, async () => {
      const batches = await readRecordBatches(fromHex(set.hex));
      const records = batches.flatMap((b) => b.records);
      assert.deepEqual(
        records.map((r) => ({
          offset: r.offset,
          timestamp: r.timestamp,
          key: text(r.key),
          value: text(r.value),
        })),
        golden.records.map((r) => ({ ...r, timestamp: set.magic === 0 ? -1 : r.timestamp })),
      );
      assert.ok(batches.every((b) => b.magic === set.magic));
    });
  }

  test("a corrupted legacy message fails its CRC-32", async () => {
    const bytes = fromHex(golden.messageSets[0].hex);
    bytes[30] ^= 0x40;
    await assert.rejects(
      readRecordBatches(bytes),
      (e: unknown) => e instanceof DecodeError && /CRC/.test(e.message),
    );
  });
});

describe("control records", () => {
  test("commit and abort markers are read from a control record's key and value", () => {
    const marker = (type: number, epoch: number) => ({
      offset: 5,
      timestamp: 0,
      key: Uint8Array.from([0, 0, 0, type]),
      value: Uint8Array.from([0, 0, 0, 0, 0, epoch]),
      headers: [],
    });
    assert.deepEqual(readControlRecord(marker(1, 7)), { type: "commit", coordinatorEpoch: 7 });
    assert.deepEqual(readControlRecord(marker(0, 3)), { type: "abort", coordinatorEpoch: 3 });
    assert.throws(
      () => readControlRecord({ ...marker(0, 0), key: new Uint8Array(1) }),
      DecodeError,
    );
  });
});
