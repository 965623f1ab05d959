// gzip decompression has two decoders: the runtime's zlib (node:zlib, used where it works)
// and fflate (everywhere else). Both must accept the same streams and refuse the same
// corruptions; the codec tests exercise whichever the runtime picks, these run both. Also
// the native path's two forms: synchronous for batch-sized inputs, the thread pool above.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { DecodeError } from "../../../src/errors.ts";
import { gzipCodec, zstdCodec } from "../../../src/protocol/compression/mod.ts";
import { gunzipPortable } from "../../../src/protocol/compression/gzip.ts";
import {
  inflateNative,
  nativeGunzip,
  SYNC_INPUT_MAX,
} from "../../../src/protocol/compression/_zlib_native.ts";
import { recordLikeData } from "../../../scripts/bench/_data.ts";
import { concatBytes } from "../../../src/wire/bytes.ts";

const gzip = gzipCodec();

/** `n` pseudo-random bytes (incompressible). */
function noise(n: number): Uint8Array {
  let x = 0x12345678;
  return new Uint8Array(n).map(() => (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 24);
}
const portable = (data: Uint8Array, limit = 1 << 26) => gunzipPortable(data, limit);

async function decodeError(p: Promise<unknown>): Promise<DecodeError> {
  const err = await p.then(() => undefined, (e) => e);
  assert.ok(err instanceof DecodeError, `expected a DecodeError, got ${err}`);
  return err;
}

describe("gzip: the runtime's zlib and fflate agree", () => {
  test("the runtime has a working gunzip (Node, Deno and Bun all do)", async () => {
    assert.ok(await nativeGunzip());
  });

  test("both read fflate's and zlib's streams, and concatenated members", async () => {
    const input = recordLikeData(300_000);
    const ours = await gzip.compress(input);
    const theirs = new Uint8Array(zlib.gzipSync(input));
    const two = concatBytes([ours, theirs]);
    for (const packed of [ours, theirs]) {
      assert.deepEqual(await gzip.decompress(packed), input);
      assert.deepEqual(await portable(packed), input);
    }
    const both = concatBytes([input, input]);
    assert.deepEqual(await gzip.decompress(two), both);
    assert.deepEqual(await portable(two), both);
  });

  test("both refuse a bad CRC, a bad length, truncation, garbage and an empty input", async () => {
    const good = await gzip.compress(recordLikeData(5000));
    const flip = (at: number) => {
      const b = good.slice();
      b[at] ^= 0x01;
      return b;
    };
    const bad = [
      flip(good.length - 8), // CRC-32
      flip(good.length - 2), // length
      flip(0), // magic
      good.subarray(0, good.length - 3),
      concatBytes([good, good.subarray(0, 12)]),
      concatBytes([good, new Uint8Array([1, 2, 3])]),
      new Uint8Array(0),
    ];
    for (const [i, b] of bad.entries()) {
      await decodeError(gzip.decompress(b)).catch((e) => assert.fail(`case ${i}: ${e}`));
      await decodeError(portable(b)).catch((e) => assert.fail(`portable case ${i}: ${e}`));
    }
  });

  test("both stop at maxSize, whatever the input declares", async () => {
    const input = new Uint8Array(1 << 20); // deflates about 1000:1
    for (const packed of [await gzip.compress(input), new Uint8Array(zlib.gzipSync(input))]) {
      assert.match((await decodeError(gzip.decompress(packed, 1000))).message, /maxSize/);
      assert.match((await decodeError(portable(packed, 1000))).message, /maxSize/);
      assert.equal((await gzip.decompress(packed, 1 << 20)).length, 1 << 20);
    }
  });
});

describe("native decompression forms", () => {
  test("inputs above SYNC_INPUT_MAX go to the thread pool and decode the same", async () => {
    const input = noise(SYNC_INPUT_MAX * 3);
    const packed = new Uint8Array(zlib.gzipSync(input));
    assert.ok(packed.length > SYNC_INPUT_MAX);
    const gunzip = (await nativeGunzip())!;
    let synchronous = 0;
    const counted = {
      ...gunzip,
      sync: (d: Uint8Array, o: { maxOutputLength: number }) => {
        synchronous++;
        return gunzip.sync!(d, o);
      },
    };
    assert.deepEqual(await inflateNative(counted, packed, input.length), input);
    assert.equal(synchronous, 0);
    const small = new Uint8Array(zlib.gzipSync(input.subarray(0, 1000)));
    assert.deepEqual(await inflateNative(counted, small, 1000), input.subarray(0, 1000));
    assert.equal(synchronous, 1);
    // A result is a plain Uint8Array, not Node's Buffer.
    assert.equal((await gzip.decompress(packed)).constructor, Uint8Array);
  });

  test("zstd frames decode the same either way", async () => {
    const zstd = zstdCodec();
    for (const n of [1000, SYNC_INPUT_MAX * 4]) {
      const input = noise(n);
      assert.deepEqual(await zstd.decompress(await zstd.compress(input)), input);
    }
  });
});
