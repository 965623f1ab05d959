import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readRecordBatches, writeRecordBatch } from "../../../src/protocol/records.ts";
import { Writer } from "../../../src/wire/writer.ts";
import { DecodeError } from "../../../src/errors.ts";

const enc = (s: string) => new TextEncoder().encode(s);

describe("record batch v2", () => {
  test("round-trips keys, values, nulls, headers, timestamps and offsets", () => {
    const w = new Writer(16);
    writeRecordBatch(w, [
      { key: enc("k1"), value: enc("v1"), timestamp: 1_700_000_000_000 },
      {
        key: null,
        value: null,
        headers: [{ key: "h", value: enc("x") }, { key: "n", value: null }],
      },
      { value: enc("three"), timestamp: 1_700_000_000_500 },
    ], { baseOffset: 40, producerId: 7n, producerEpoch: 1, baseSequence: 5 });
    const [batch, ...rest] = readRecordBatches(w.bytes());
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

  test("a partial trailing batch is left out; two whole batches both decode", () => {
    const w = new Writer();
    writeRecordBatch(w, [{ value: enc("a") }], { baseOffset: 0 });
    writeRecordBatch(w, [{ value: enc("b") }], { baseOffset: 1 });
    const all = w.bytes();
    assert.equal(readRecordBatches(all).length, 2);
    assert.equal(readRecordBatches(all.subarray(0, all.length - 3)).length, 1);
  });

  test("a flipped bit fails the CRC check with a DecodeError", () => {
    const w = new Writer();
    writeRecordBatch(w, [{ value: enc("payload") }]);
    const bytes = w.bytes().slice();
    bytes[bytes.length - 2] ^= 1;
    assert.throws(
      () => readRecordBatches(bytes),
      (e: unknown) => e instanceof DecodeError && /CRC/.test(e.message),
    );
  });
});
