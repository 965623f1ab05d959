// The snappy and lz4 decoders' fast copies (a word at a time, `set`, `copyWithin`) at their
// edges: overlapping matches at offsets 1 to 7, a match or a literal that ends exactly at
// the end of the output or of the input, and one byte too many, which must still fail. Each
// block is built by hand and checked against a byte-by-byte expansion.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError } from "../../../src/errors.ts";
import { decodeSnappy } from "../../../src/protocol/compression/_snappy_raw.ts";
import { decompressBlock } from "../../../src/protocol/compression/_lz4_block.ts";
import { Output } from "../../../src/protocol/compression/_util.ts";
import { lz4Codec, snappyCodec } from "../../../src/protocol/compression/mod.ts";

const SEED = [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67]; // "abcdefg"
const TAIL = [0x78, 0x79, 0x7a]; // "xyz"
/** Bytes after a block's end, which a decoder may read past its last op but never use. */
const PAD = [0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee];

/** The output of literal `seed`, a match of `len` from `offset` back, then literal `tail`. */
function expand(seed: number[], offset: number, len: number, tail: number[]): Uint8Array {
  const out = [...seed];
  for (let i = 0; i < len; i++) out.push(out[out.length - offset]);
  return new Uint8Array([...out, ...tail]);
}

// --- snappy: tags by hand ---

function snappyLiteral(bytes: number[]): number[] {
  const n = bytes.length - 1;
  return n < 60 ? [n << 2, ...bytes] : [60 << 2, n, ...bytes];
}

/** A 2-byte-offset copy (tag 2): lengths 1 to 64. */
function snappyCopy(len: number, offset: number): number[] {
  return [((len - 1) << 2) | 2, offset & 0xff, offset >> 8];
}

/** Decodes tags `ops` (no length prefix) into exactly `length` bytes. */
function snappy(ops: number[], length: number, pad = PAD): Uint8Array {
  const src = new Uint8Array([...ops, ...pad]);
  const dst = new Uint8Array(length);
  decodeSnappy(src, 0, ops.length, dst, 0, length);
  return dst;
}

describe("snappy fast copies", () => {
  test("overlapping copies at offsets 1 to 7 repeat the last bytes, any length", () => {
    for (let offset = 1; offset <= 7; offset++) {
      for (let len = 1; len <= 64; len++) {
        for (const tail of [[], TAIL]) {
          const want = expand(SEED, offset, len, tail);
          const ops = [...snappyLiteral(SEED), ...snappyCopy(len, offset)];
          if (tail.length > 0) ops.push(...snappyLiteral(tail));
          assert.deepEqual(snappy(ops, want.length), want, `offset ${offset}, length ${len}`);
        }
      }
    }
  });

  test("a copy or a literal may reach exactly the end; one byte more is refused", () => {
    for (let len = 1; len <= 64; len++) {
      const copy = [...snappyLiteral(SEED), ...snappyCopy(len, 7)];
      const want = expand(SEED, 7, len, []);
      assert.deepEqual(snappy(copy, want.length), want);
      assert.throws(() => snappy(copy, want.length - 1), DecodeError);
    }
    for (let len = 1; len <= 70; len++) {
      const bytes = Array.from({ length: len }, (_, i) => (i * 37 + 11) & 0xff);
      const ops = [...snappyLiteral(SEED), ...snappyLiteral(bytes)];
      const want = new Uint8Array([...SEED, ...bytes]);
      // With bytes after the input (a word copy may read them) and without (it may not).
      assert.deepEqual(snappy(ops, want.length), want);
      assert.deepEqual(snappy(ops, want.length, []), want);
      assert.throws(() => snappy(ops, want.length - 1), DecodeError);
      assert.throws(() => snappy(ops.slice(0, -1), want.length, []), DecodeError);
    }
  });

  test("a copy that reaches before the output's start is refused at every offset", () => {
    for (let offset = 1; offset <= 8; offset++) {
      const seed = offset > 1 ? snappyLiteral(SEED.slice(0, offset - 1)) : [];
      const ops = [...seed, ...snappyCopy(4, offset)];
      assert.throws(() => snappy(ops, offset - 1 + 4), DecodeError);
    }
  });

  test("blocks decode the same through the codec's chunked stream", async () => {
    const want = expand(SEED, 3, 50, TAIL);
    const ops = [...snappyLiteral(SEED), ...snappyCopy(50, 3), ...snappyLiteral(TAIL)];
    const raw = new Uint8Array([want.length, ...ops]);
    assert.deepEqual(await snappyCodec().decompress(raw), want);
  });
});

// --- lz4: sequences by hand ---

function lz4Length(n: number): number[] {
  const out: number[] = [];
  for (n -= 15; n >= 255; n -= 255) out.push(255);
  out.push(n);
  return out;
}

/** One sequence: literals, then a match of `len` (>= 4) at `offset`. */
function lz4Sequence(literals: number[], offset: number, len: number): number[] {
  const lit = literals.length;
  const m = len - 4;
  return [
    (Math.min(lit, 15) << 4) | Math.min(m, 15),
    ...(lit >= 15 ? lz4Length(lit) : []),
    ...literals,
    offset & 0xff,
    offset >> 8,
    ...(m >= 15 ? lz4Length(m) : []),
  ];
}

/** The last sequence: literals only. */
function lz4Last(literals: number[]): number[] {
  const lit = literals.length;
  return [Math.min(lit, 15) << 4, ...(lit >= 15 ? lz4Length(lit) : []), ...literals];
}

/** Decodes block `ops` into at most `max` bytes. */
function lz4(ops: number[], max: number, pad = PAD): Uint8Array {
  const src = new Uint8Array([...ops, ...pad]);
  const out = new Output(max, max);
  decompressBlock(src, 0, ops.length, out, max, 0);
  return out.copy();
}

describe("lz4 fast copies", () => {
  test("overlapping matches at offsets 1 to 7 repeat the last bytes, any length", () => {
    for (let offset = 1; offset <= 7; offset++) {
      for (let len = 4; len <= 80; len++) {
        for (const tail of [[], TAIL]) {
          const want = expand(SEED, offset, len, tail);
          const ops = [...lz4Sequence(SEED, offset, len), ...lz4Last(tail)];
          // Room for exactly the output, and plenty of it.
          assert.deepEqual(lz4(ops, want.length), want, `offset ${offset}, length ${len}`);
          assert.deepEqual(lz4(ops, want.length + 64), want);
        }
      }
    }
  });

  test("long matches that do not overlap copy exactly, to the end of the room", () => {
    const seed = Array.from({ length: 200 }, (_, i) => (i * 13 + 1) & 0xff);
    for (const len of [60, 64, 65, 66, 100, 200]) {
      const want = expand(seed, 200, len, []);
      const ops = [...lz4Sequence(seed, 200, len), ...lz4Last([])];
      assert.deepEqual(lz4(ops, want.length), want);
      assert.throws(() => lz4(ops, want.length - 1), DecodeError);
    }
  });

  test("a literal may reach exactly the end of the room and of the input", () => {
    for (let len = 1; len <= 70; len++) {
      const bytes = Array.from({ length: len }, (_, i) => (i * 37 + 11) & 0xff);
      const ops = [...lz4Sequence(SEED, 7, 4), ...lz4Last(bytes)];
      const want = new Uint8Array([...expand(SEED, 7, 4, []), ...bytes]);
      assert.deepEqual(lz4(ops, want.length), want);
      assert.deepEqual(lz4(ops, want.length, []), want);
      assert.throws(() => lz4(ops, want.length - 1), DecodeError);
      assert.throws(() => lz4(ops.slice(0, -1), want.length, []), DecodeError);
    }
  });

  test("a result is not changed by the decompressions after it (the buffer is reused)", async () => {
    const codec = lz4Codec();
    const a = new Uint8Array(100_000).map((_, i) => (i * 7) % 251);
    const b = new Uint8Array(100_000).map((_, i) => (i * 11) % 241);
    const [pa, pb] = [await codec.compress(a), await codec.compress(b)];
    const first = await codec.decompress(pa);
    const [second, third] = await Promise.all([codec.decompress(pb), codec.decompress(pa)]);
    assert.deepEqual(first, a);
    assert.deepEqual(second, b);
    assert.deepEqual(third, a);
    assert.notEqual(first.buffer, third.buffer);
  });
});
