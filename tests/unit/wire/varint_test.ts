// The varint decoders' fast paths (1–2 byte varints, 1 byte varlongs) and their slow paths
// agree with a plain reference decoder on every length, and malformed or truncated varints
// fail with a DecodeError instead of a wrong value, a crash or a hang.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ByteReader } from "../../../src/wire/byte_reader.ts";
import { ByteWriter } from "../../../src/wire/byte_writer.ts";
import { DecodeError } from "../../../src/errors.ts";

/** Unsigned LEB128 bytes of a non-negative safe integer, the reference encoding. */
function leb128(v: number): number[] {
  const out: number[] = [];
  do {
    const low = v % 0x80;
    v = Math.floor(v / 0x80);
    out.push(v > 0 ? low | 0x80 : low);
  } while (v > 0);
  return out;
}

/** Values at every varint length boundary, and around them. */
const BOUNDARIES = [0, 1, 2, 63, 64, 127, 128, 129, 255, 256, 8191, 8192, 16383, 16384, 16385]
  .concat([2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1]);

describe("uvarint and varint", () => {
  test("every length from 1 to 5 bytes decodes to the reference value", () => {
    for (const v of BOUNDARIES) {
      const bytes = Uint8Array.from(leb128(v));
      const r = new ByteReader(bytes);
      assert.equal(r.uvarint(), v, `uvarint ${v}`);
      r.done(`uvarint ${v}`);
      // The same bytes with more after them: the fast path must not read past its varint.
      const padded = new ByteReader(Uint8Array.from([...bytes, 0x7f, 0x7f]));
      assert.equal(padded.uvarint(), v);
      assert.equal(padded.pos, bytes.length);
    }
  });

  test("zigzag varints round-trip through the writer at every length", () => {
    const values = [0, -1, 1, -64, 63, -65, 64, -8192, 8191, -8193, 8192, 2 ** 31 - 1, -(2 ** 31)];
    for (let v = -20000; v <= 20000; v += 7) values.push(v);
    const w = new ByteWriter();
    for (const v of values) w.varint(v);
    const r = new ByteReader(w.bytes());
    for (const v of values) assert.equal(r.varint(), v);
    r.done("varints");
  });

  test("a 5-byte varint beyond 32 bits or a 6th byte fails", () => {
    for (const bytes of [[0xff, 0xff, 0xff, 0xff, 0x10], [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]]) {
      const r = new ByteReader(Uint8Array.from(bytes));
      assert.equal(r.uvarint(), 0);
      assert.throws(() => r.check("uvarint"), DecodeError);
    }
  });

  test("a varint cut short at any byte fails with a DecodeError", () => {
    for (const v of BOUNDARIES.filter((v) => v >= 128)) {
      const bytes = leb128(v);
      for (let cut = 1; cut < bytes.length; cut++) {
        const r = new ByteReader(Uint8Array.from(bytes.slice(0, cut)));
        assert.equal(r.uvarint(), 0, `${v} cut at ${cut}`);
        assert.throws(() => r.check("uvarint"), DecodeError);
      }
    }
    // The fast path's two bytes straddling a limit() end.
    const r = new ByteReader(Uint8Array.from([0x80, 0x01]));
    const end = r.limit(1);
    r.uvarint();
    r.unlimit(end, "limited");
    assert.throws(() => r.check("limited"), DecodeError);
  });
});

describe("varlong", () => {
  test("one-byte and longer varlongs round-trip across the safe integer range", () => {
    const values = [0, -1, 1, -64, 63, -65, 64, 2 ** 31, -(2 ** 40), Number.MAX_SAFE_INTEGER];
    values.push(Number.MIN_SAFE_INTEGER);
    const w = new ByteWriter();
    for (const v of values) w.varlong(v);
    const r = new ByteReader(w.bytes());
    for (const v of values) assert.equal(r.varlong(), v);
    r.done("varlongs");
  });

  test("a truncated varlong fails with a DecodeError", () => {
    const r = new ByteReader(Uint8Array.from([0x80, 0x80]));
    assert.equal(r.varlong(), 0);
    assert.throws(() => r.check("varlong"), DecodeError);
  });
});
