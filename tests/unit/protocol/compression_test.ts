// The compression codecs: round trips, the Java client's own bytes (known-answer vectors),
// bounded and checked decompression of corrupt, truncated and hostile input, the registry,
// and the event loop staying responsive.
//
// The JAVA vectors were made once by the Java client's codecs (kafka-clients 4.3.1 with
// snappy-java 1.1.10.7, lz4-java 1.10.2 and zstd-jni 1.5.6-10): Kafka's `Compression`
// streams where named "kafka-…", the libraries directly otherwise. Each holds KNOWN, or
// KNOWN repeated where the name says so, or nothing ("-empty").

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError } from "../../../src/errors.ts";
import {
  type CompressionCodec,
  compressionCodec,
  DEFAULT_MAX_DECOMPRESSED_SIZE,
  gzipCodec,
  lz4Codec,
  registerCompressionCodec,
  snappyCodec,
  zstdCodec,
} from "../../../src/protocol/compression/mod.ts";
import { fixLegacyLz4Frame } from "../../../src/protocol/compression/lz4.ts";
import { xxhash32 } from "../../../src/protocol/compression/_xxhash32.ts";
import { Slicer } from "../../../src/_async/slicer.ts";
import { decompressFrames } from "../../../src/protocol/compression/_zstd_frames.ts";
import { fzstdFrame } from "../../../src/protocol/compression/_zstd_fzstd.ts";
import { wasmZstdCompress } from "../../../src/protocol/compression/_zstd_wasm.ts";
import { recordLikeData as records } from "../../../scripts/bench/_data.ts";
import { concatBytes } from "../../../src/wire/bytes.ts";

const KNOWN = "kafkit known-answer vector: the quick brown fox jumps over the lazy dog, " +
  'the quick brown fox jumps over the lazy dog again; {"id":1,"v":"x"} {"id":2,"v":"x"} ' +
  '{"id":3,"v":"x"}';
const NAMES = ["gzip", "snappy", "lz4", "zstd"] as const;

const JAVA: Record<string, string> = {
  "kafka-gzip":
    "1f8b08000000000000ff95ca3b0e83301045d1ad3c4d0d45a033ab19c010e3e0498c319f88bd03124a41" +
    "97f6dc6bb9b126c03a995cca6e98b447d45510af109e1a9fd15416a53f321a99d18dfd7b80c4633bf38b" +
    "d705b5b4c93f33b865e30a7cc9d4a41e09455234d376417687fc073bd6873112ae000000",
  "kafka-gzip-empty": "1f8b08000000000000ff03000000000000000000",
  "kafka-snappy":
    "82534e4150505900000000010000000100000078ae01e86b61666b6974206b6e6f776e2d616e73776572" +
    "20766563746f723a2074686520717569636b2062726f776e20666f78206a756d7073206f76657220011f" +
    "206c617a7920646f672cae2d005c20616761696e3b207b226964223a312c2276223a2278227d0d110032" +
    "3e110024332c2276223a2278227d",
  "kafka-snappy-empty": "82534e41505059000000000100000001",
  "kafka-lz4":
    "04224d1860408279000000f12b6b61666b6974206b6e6f776e2d616e7377657220766563746f723a2074" +
    "686520717569636b2062726f776e20666f78206a756d7073206f7665721f00916c617a7920646f672c0e" +
    "000f2d0014f30920616761696e3b207b226964223a312c2276223a2278227d11001c321100a0332c2276" +
    "223a2278227d00000000",
  "kafka-lz4-empty": "04224d1860408200000000",
  "kafka-zstd":
    "28b52ffd00583c0300d245151b706bda00c646a4a90addfefb7db3b539f07f5ee865a7db00aaf00503c1" +
    "c31e43a60c092053d21c276c1e73471856ce681ca251f11b45c239fce1e5bbb80bd7249dc5d1908e9a53" +
    "82ea8dabd903ece2d5a7d4e5340500a010802e34b3115446aa10d41e010000",
  "kafka-zstd-empty": "28b52ffd2000010000",
  "snappy-raw":
    "ae01e86b61666b6974206b6e6f776e2d616e7377657220766563746f723a2074686520717569636b2062" +
    "726f776e20666f78206a756d7073206f76657220011f206c617a7920646f672cae2d005c20616761696e" +
    "3b207b226964223a312c2276223a2278227d0d1100323e110024332c2276223a2278227d",
  "snappy-xerial-1k-x20":
    "82534e415050590000000001000000010000009b8008e86b61666b6974206b6e6f776e2d616e73776572" +
    "20766563746f723a2074686520717569636b2062726f776e20666f78206a756d7073206f76657220011f" +
    "206c617a7920646f672cae2d005c20616761696e3b207b226964223a312c2276223a2278227d0d110032" +
    "3e110000331511feae00feae00feae00feae00feae00feae00feae00feae00feae00feae00feae00feae" +
    "00feae0046ae00000000a18008f05b78227d207b226964223a332c2276223a2278227d6b61666b697420" +
    "6b6e6f776e2d616e7377657220766563746f723a2074686520717569636b2062726f776e20666f78206a" +
    "756d7073206f76657220746865206c617a7920646f672cae2d001820616761696e3b0d8c0031158c0d11" +
    "00323e1100feae00feae00feae00feae00feae00feae00feae00feae00feae00feae00feae00feae00fe" +
    "ae0011ae0000009f800840223a2278227d207b226964223a322c227632110000331511e86b61666b6974" +
    "206b6e6f776e2d616e7377657220766563746f723a2074686520717569636b2062726f776e20666f7820" +
    "6a756d7073206f76657220011f206c617a7920646f672cae2d001820616761696e3b0d9d0031158c0d11" +
    "feae00feae00feae00feae00feae00feae00feae00feae00feae00feae00feae00feae00feae0005ae00" +
    "0000819803646f6720616761696e3b207b226964223a312c2276223a2278227d0d1100323e1100003315" +
    "11e86b61666b6974206b6e6f776e2d616e7377657220766563746f723a2074686520717569636b206272" +
    "6f776e20666f78206a756d7073206f76657220011f206c617a7920646f672cae2d000020feae00feae00" +
    "feae009aae00",
  "lz4-bd256k-blocksum":
    "04224d1870508479000000f12b6b61666b6974206b6e6f776e2d616e7377657220766563746f723a2074" +
    "686520717569636b2062726f776e20666f78206a756d7073206f7665721f00916c617a7920646f672c0e" +
    "000f2d0014f30920616761696e3b207b226964223a312c2276223a2278227d11001c321100a0332c2276" +
    "223a2278227d98dca70800000000",
  "lz4-frame-size-checksums":
    "04224d187c40ae000000000000002579000000f12b6b61666b6974206b6e6f776e2d616e737765722076" +
    "6563746f723a2074686520717569636b2062726f776e20666f78206a756d7073206f7665721f00916c61" +
    "7a7920646f672c0e000f2d0014f30920616761696e3b207b226964223a312c2276223a2278227d11001c" +
    "321100a0332c2276223a2278227d98dca70800000000829af25a",
  "lz4-kafka-x1000":
    "04224d186040827c010000f12b6b61666b6974206b6e6f776e2d616e7377657220766563746f723a2074" +
    "686520717569636b2062726f776e20666f78206a756d7073206f7665721f00916c617a7920646f672c0e" +
    "000f2d0014f30920616761696e3b207b226964223a312c2276223a2278227d11001c321100153311000f" +
    "ae00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffff3a50206c617a797f010000f30d20646f6720616761696e3b207b226964223a312c227622" +
    "3a2278227d11001c32110015331100f12b6b61666b6974206b6e6f776e2d616e7377657220766563746f" +
    "723a2074686520717569636b2062726f776e20666f78206a756d7073206f7665721f00406c617a798100" +
    "112c0e000f2d00140fae00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffff36506f78206a7526010000f1076d7073206f76657220746865206c" +
    "617a7920646f672c0e00ff03717569636b2062726f776e20666f78206a752d0002f30920616761696e3b" +
    "207b226964223a312c2276223a2278227d11001c32110015331100ff0c6b61666b6974206b6e6f776e2d" +
    "616e7377657220766563746f723a8100190fae00ffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" +
    "ffffffffffffffffffffffffffffffffffffff7c503a2278227d00000000",
  "zstd-checksum":
    "28b52ffd04583d0300d245151b706bda00c646a4a90addfefb7db3b539f07f5ee865a7db00aaf00503c1" +
    "c31e43a60c092053d21c276c1e73471856ce681ca251f11b45c239fce1e5bbb80bd7249dc5d1908e9a53" +
    "82ea8dabd903ece2d5a7d4e5340500a010802e34b3115446aa10d41ebf56bd9b",
  "gzip-two-members":
    "1f8b08000000000000ff95ca3b0e83301045d1ad3c4d0d45a033ab19c010e3e0498c319f88bd03124a41" +
    "97f6dc6bb9b126c03a995cca6e98b447d45510af109e1a9fd15416a53f321a99d18dfd7b80c4633bf38b" +
    "d705b5b4c93f33b865e30a7cc9d4a41e09455234d376417687fc073bd6873112ae0000001f8b08000000" +
    "000000ff95ca3b0e83301045d1ad3c4d0d45a033ab19c010e3e0498c319f88bd03124a4197f6dc6bb9b1" +
    "26c03a995cca6e98b447d45510af109e1a9fd15416a53f321a99d18dfd7b80c4633bf38bd705b5b4c93f" +
    "33b865e30a7cc9d4a41e09455234d376417687fc073bd6873112ae000000",
};

const enc = new TextEncoder();
const known = enc.encode(KNOWN);

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function java(name: string): Uint8Array {
  return fromHex(JAVA[name]);
}

function join(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** A small deterministic PRNG (xorshift32), so failures reproduce. */
function prng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/** Incompressible bytes. */
function noise(n: number, seed = 7): Uint8Array {
  const rnd = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = rnd(256);
  return out;
}

/** Resolves to the DecodeError `p` rejects with; fails if it resolves or rejects otherwise. */
async function decodeError(p: Promise<unknown>): Promise<DecodeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw new Error(`expected a DecodeError, got ${err instanceof Error ? err.stack : err}`);
  }
  throw new Error("expected a DecodeError, got a result");
}

function readLE32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

const MiB = 1024 * 1024;
const inputs: [string, Uint8Array][] = [
  ["empty", new Uint8Array(0)],
  ["one byte", new Uint8Array([42])],
  ["small", known],
  ["1 MiB of records", records(MiB)],
  ["incompressible, odd length", noise(3 * 65536 + 17)],
  ["3 MiB of zeros", new Uint8Array(3 * MiB)],
];

/**
 * zstd as Node 20 runs it (libzstd in WebAssembly compresses, fzstd decompresses), tested
 * on every runtime. Its output is the same everywhere, so corruption cases are too.
 */
const portableZstd: CompressionCodec = {
  id: 4,
  name: "zstd",
  compress: (data) => wasmZstdCompress(data, 3),
  decompress: (data, maxSize) => decompressFrames(data, maxSize, fzstdFrame, new Slicer()),
};

const CODECS: [string, CompressionCodec][] = [
  ...NAMES.map((name): [string, CompressionCodec] => [name, compressionCodec(name)]),
  ["zstd (WebAssembly and fzstd)", portableZstd],
];

for (const [label, codec] of CODECS) {
  const name = codec.name;
  describe(`${label} codec`, () => {
    for (const [what, input] of inputs) {
      test(`round-trips ${what}`, async () => {
        const packed = await codec.compress(input);
        assert.ok(packed instanceof Uint8Array);
        const back = await codec.decompress(packed);
        assert.equal(back.length, input.length);
        assert.deepEqual(back, input);
      });
    }

    test("keeps incompressible input close to its size", async () => {
      const input = noise(300_000);
      const packed = await codec.compress(input);
      assert.ok(packed.length < input.length * 1.01 + 64, `${packed.length} bytes`);
    });

    test("decodes the Java client's output", async () => {
      assert.deepEqual(await codec.decompress(java(`kafka-${name}`)), known);
      assert.deepEqual(await codec.decompress(java(`kafka-${name}-empty`)), new Uint8Array(0));
    });

    test("rejects empty input", async () => {
      await decodeError(codec.decompress(new Uint8Array(0)));
    });

    test("rejects every truncation of the Java client's output", async () => {
      const whole = java(`kafka-${name}`);
      for (let n = 0; n < whole.length; n++) {
        const cut = whole.subarray(0, n);
        // A snappy-java stream cut after its header is a valid empty stream.
        if (name === "snappy" && n === 16) {
          assert.equal((await codec.decompress(cut)).length, 0);
          continue;
        }
        await decodeError(codec.decompress(cut));
      }
    });

    test("random corruption rejects with DecodeError or decodes within maxSize", async () => {
      const input = records(64 * 1024);
      const packed = await codec.compress(input);
      const rnd = prng(2024);
      const maxSize = 100_000;
      for (let i = 0; i < 300; i++) {
        let bad = packed.slice();
        switch (i % 4) {
          case 0:
            bad[rnd(bad.length)] ^= 1 << rnd(8);
            break;
          case 1:
            for (let k = 0; k < 1 + rnd(8); k++) bad[rnd(bad.length)] = rnd(256);
            break;
          case 2:
            bad[rnd(Math.min(32, bad.length))] = rnd(256); // the header
            break;
          default:
            bad = bad.subarray(0, rnd(bad.length));
        }
        try {
          const out = await codec.decompress(bad, maxSize);
          assert.ok(out.length <= maxSize);
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
        }
      }
    });

    test("output larger than maxSize is a DecodeError", async () => {
      const input = records(200_000);
      const packed = await codec.compress(input);
      assert.equal((await codec.decompress(packed, input.length)).length, input.length);
      const err = await decodeError(codec.decompress(packed, input.length - 1));
      assert.match(err.message, /maxSize/);
    });

    test("a decompression bomb stops at maxSize", async () => {
      const packed = await codec.compress(new Uint8Array(16 * MiB));
      assert.ok(packed.length < MiB);
      const err = await decodeError(codec.decompress(packed, MiB));
      assert.match(err.message, /maxSize 1048576/);
    });

    test("a bad maxSize is a RangeError", async () => {
      for (const bad of [-1, 1.5, NaN, Infinity]) {
        await assert.rejects(codec.decompress(known, bad), RangeError);
      }
    });

    test("the default bound is DEFAULT_MAX_DECOMPRESSED_SIZE", () => {
      assert.equal(DEFAULT_MAX_DECOMPRESSED_SIZE, 128 * MiB);
    });
  });
}

describe("gzip details", () => {
  const gzip = compressionCodec("gzip");

  test("decodes a two-member stream, as Java's GZIPInputStream does", async () => {
    assert.deepEqual(await gzip.decompress(java("gzip-two-members")), join(known, known));
  });

  test("checks the CRC-32 and length trailer", async () => {
    const good = java("kafka-gzip");
    for (const at of [good.length - 8, good.length - 1]) {
      const bad = good.slice();
      bad[at] ^= 0x01;
      await decodeError(gzip.decompress(bad));
    }
    const second = java("gzip-two-members").slice();
    second[good.length - 5] ^= 0x80; // the first member's CRC
    await decodeError(gzip.decompress(second));
  });

  test("a lying length trailer allocates nothing for it", async () => {
    const bad = java("kafka-gzip").slice();
    bad.fill(0xff, bad.length - 4);
    const err = await decodeError(gzip.decompress(bad));
    assert.match(err.message, /length/);
  });

  test("rejects a bad magic and trailing garbage", async () => {
    const bad = java("kafka-gzip").slice();
    bad[0] = 0x1e;
    await decodeError(gzip.decompress(bad));
    await decodeError(gzip.decompress(join(java("kafka-gzip"), new Uint8Array([1, 2, 3]))));
  });

  test("levels: 0 stores, 9 is no larger than 1, others are RangeErrors", async () => {
    const input = records(100_000);
    const stored = await gzipCodec({ level: 0 }).compress(input);
    assert.ok(stored.length > input.length);
    const fast = await gzipCodec({ level: 1 }).compress(input);
    const best = await gzipCodec({ level: 9 }).compress(input);
    assert.ok(best.length <= fast.length);
    for (const packed of [stored, fast, best]) {
      assert.deepEqual(await gzip.decompress(packed), input);
    }
    for (const level of [-1, 10, 2.5]) assert.throws(() => gzipCodec({ level }), RangeError);
  });

  test("writes Java's header: no file name, zero modification time", async () => {
    const packed = await gzip.compress(known);
    assert.deepEqual(packed.subarray(0, 8), java("kafka-gzip").subarray(0, 8));
  });
});

describe("snappy details", () => {
  const snappy = compressionCodec("snappy");
  const HEADER = java("kafka-snappy-empty");

  /** The chunk lengths of a snappy-java stream. */
  function chunks(stream: Uint8Array): number[] {
    const sizes: number[] = [];
    const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength);
    for (let at = 16; at < stream.length; at += 4 + view.getInt32(at)) {
      sizes.push(view.getInt32(at));
    }
    return sizes;
  }

  test("writes the snappy-java stream the Java client writes", async () => {
    assert.deepEqual(await snappy.compress(new Uint8Array(0)), HEADER);
    const packed = await snappy.compress(known);
    assert.deepEqual(packed.subarray(0, 16), HEADER);
    assert.equal(chunks(packed).length, 1);
  });

  test("splits input into 32 KiB chunks, as snappy-java does", async () => {
    const input = records(100_000);
    const packed = await snappy.compress(input);
    assert.equal(chunks(packed).length, Math.ceil(input.length / 32768));
    assert.deepEqual(await snappy.decompress(packed), input);
  });

  test("decodes a Java stream of several 1 KiB chunks", async () => {
    const stream = java("snappy-xerial-1k-x20");
    assert.ok(chunks(stream).length >= 3);
    assert.deepEqual(await snappy.decompress(stream), enc.encode(KNOWN.repeat(20)));
  });

  test("decodes a raw block, as librdkafka writes it", async () => {
    assert.deepEqual(await snappy.decompress(java("snappy-raw")), known);
  });

  test("decodes concatenated streams (a repeated header)", async () => {
    const two = join(java("kafka-snappy"), java("kafka-snappy"));
    assert.deepEqual(await snappy.decompress(two), join(known, known));
  });

  test("rejects a chunk that overruns the input, a truncated header, a lying length", async () => {
    const good = java("kafka-snappy");
    const longer = good.slice();
    new DataView(longer.buffer).setInt32(16, new DataView(good.buffer).getInt32(16) + 1);
    await decodeError(snappy.decompress(longer));
    await decodeError(snappy.decompress(join(good, HEADER.subarray(0, 10))));
    // A raw block that claims 4 GiB - 1 from five bytes.
    await decodeError(snappy.decompress(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])));
    // A raw block that holds fewer bytes than its length says.
    const raw = java("snappy-raw").slice();
    raw[0] += 1;
    await decodeError(snappy.decompress(raw));
  });

  test("a literal length that overflows 32 bits is rejected, not looped on", async () => {
    // Length 10, then a literal tag with a 4-byte length of 0xfffffffa.
    const bad = new Uint8Array([10, 0xfc, 0xfa, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5, 6]);
    await decodeError(snappy.decompress(bad));
  });

  test("a copy before the start of the output is rejected", async () => {
    // Length 8, literal "ab", then a copy of 6 bytes from offset 3.
    await decodeError(snappy.decompress(new Uint8Array([8, 0x04, 0x61, 0x62, 0x09, 0x03])));
  });
});

describe("lz4 details", () => {
  const lz4 = compressionCodec("lz4");
  const JAVA_HEADER = java("kafka-lz4").subarray(0, 7);

  /** The blocks of a frame without a content size: [compressed?, start, end]. */
  function blocks(frame: Uint8Array): [boolean, number, number][] {
    const out: [boolean, number, number][] = [];
    for (let at = 7;;) {
      const word = readLE32(frame, at);
      at += 4;
      if (word === 0) return out;
      const size = word & 0x7fffffff;
      out.push([(word & 0x80000000) === 0, at, at + size]);
      at += size;
    }
  }

  /**
   * Checks the LZ4 end-of-block rules the reference decoder enforces: the last sequence
   * has at least 5 literals and no match starts within 12 bytes of the block's end.
   */
  function checkEndOfBlock(src: Uint8Array, ip: number, end: number): void {
    let out = 0;
    let lastMatch = -1;
    for (;;) {
      const token = src[ip++];
      let lit = token >>> 4;
      if (lit === 15) { for (let b = 255; b === 255; lit += b) b = src[ip++]; }
      ip += lit;
      out += lit;
      if (ip === end) {
        assert.ok(lit >= 5 || out < 13, `last literals ${lit} of ${out}`);
        break;
      }
      ip += 2;
      let len = token & 15;
      if (len === 15) { for (let b = 255; b === 255; len += b) b = src[ip++]; }
      lastMatch = out;
      out += len + 4;
    }
    if (lastMatch >= 0) assert.ok(out - lastMatch >= 12, `match at ${lastMatch} of ${out}`);
  }

  test("writes Java's header: independent 64 KiB blocks, no checksums", async () => {
    const packed = await lz4.compress(known);
    assert.deepEqual(packed.subarray(0, 7), JAVA_HEADER);
    assert.deepEqual(await lz4.compress(new Uint8Array(0)), java("kafka-lz4-empty"));
  });

  test("compressed blocks keep the end-of-block rules", async () => {
    const samples = [
      records(300_000),
      known,
      enc.encode(KNOWN.repeat(1000)),
      new Uint8Array(65536),
    ];
    for (let n = 13; n < 40; n++) samples.push(enc.encode("ab".repeat(n)).subarray(0, n));
    for (const input of samples) {
      const packed = await lz4.compress(input);
      const all = blocks(packed);
      assert.equal(all.length, Math.ceil(input.length / 65536));
      for (const [compressed, start, end] of all) {
        assert.ok(end - start <= 65536);
        if (compressed) checkEndOfBlock(packed, start, end);
      }
    }
  });

  test("decodes Java frames: 256 KiB blocks with block checksums; several blocks", async () => {
    assert.deepEqual(await lz4.decompress(java("lz4-bd256k-blocksum")), known);
    const multi = java("lz4-kafka-x1000");
    assert.equal(blocks(multi).length, 3);
    assert.deepEqual(await lz4.decompress(multi), enc.encode(KNOWN.repeat(1000)));
  });

  test("decodes an lz4-java frame with a content size and content checksum", async () => {
    assert.deepEqual(await lz4.decompress(java("lz4-frame-size-checksums")), known);
  });

  test("checks the header, block and content checksums and the content size", async () => {
    const kafka = java("kafka-lz4").slice();
    kafka[6] ^= 1;
    assert.match((await decodeError(lz4.decompress(kafka))).message, /header checksum/);
    const blockSum = java("lz4-bd256k-blocksum");
    const b = blockSum.slice();
    b[b.length - 5] ^= 1; // the block checksum
    assert.match((await decodeError(lz4.decompress(b))).message, /block checksum/);
    const full = java("lz4-frame-size-checksums");
    const c = full.slice();
    c[c.length - 1] ^= 1; // the content checksum
    assert.match((await decodeError(lz4.decompress(c))).message, /content checksum/);
  });

  test("a lying content size is refused before allocating", async () => {
    const frame = java("lz4-frame-size-checksums").slice();
    // Content size 2^40, with the header checksum recomputed so only the size is wrong.
    frame.set([0, 0, 0, 0, 0, 1, 0, 0], 6);
    frame[14] = (xxh32Header(frame.subarray(4, 14)) >>> 8) & 0xff;
    assert.match((await decodeError(lz4.decompress(frame))).message, /maxSize/);
    frame.set([0, 0, 0, 1, 0, 0, 0, 0], 6); // 16 MiB from a 150-byte frame
    frame[14] = (xxh32Header(frame.subarray(4, 14)) >>> 8) & 0xff;
    assert.match((await decodeError(lz4.decompress(frame))).message, /impossible/);
  });

  test("one block stored raw comes back as a view of the input; anything wrong with it still fails", async () => {
    // Incompressible data: the frame holds it raw (as the Java client writes it).
    let x = 2_463_534_242;
    const input = Uint8Array.from({ length: 40_000 }, () => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x & 255;
    });
    const frame = await lz4.compress(input);
    assert.deepEqual(blocks(frame).map(([compressed]) => compressed), [false]);
    const out = await lz4.decompress(frame);
    assert.deepEqual(out, input);
    assert.equal(out.buffer, frame.buffer, "no copy");
    // Past maxSize it is refused, like any other content.
    assert.match((await decodeError(lz4.decompress(frame, 39_999))).message, /maxSize/);
    // With a block and a content checksum that match (frame rebuilt by hand), still a view.
    const header = [0x04, 0x22, 0x4d, 0x18, 0x74, 0x40]; // block + content checksums
    const hc = (xxh32Header(new Uint8Array(header.slice(4))) >>> 8) & 0xff;
    const sum = xxhash32(input, 0, input.length);
    const le = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];
    const checked = new Uint8Array([
      ...header,
      hc,
      ...le((input.length | 0x80000000) >>> 0),
      ...input,
      ...le(sum),
      0,
      0,
      0,
      0,
      ...le(sum),
    ]);
    const view = await lz4.decompress(checked);
    assert.deepEqual(view, input);
    assert.equal(view.buffer, checked.buffer);
    // A wrong content checksum, or bytes after the frame's end mark, are not taken as they are.
    const badSum = checked.slice();
    badSum[badSum.length - 1] ^= 1;
    assert.match((await decodeError(lz4.decompress(badSum))).message, /content checksum/);
    const trailing = new Uint8Array([...frame, 1, 2, 3]);
    await decodeError(lz4.decompress(trailing));
  });

  test("dependent blocks decode; the same blocks marked independent do not", async () => {
    // Block 1 stores "abcdefgh" raw; block 2 is one match of 12 bytes at offset 8, which
    // reaches back into block 1, then 5 literals.
    const blocks = [
      [0x08, 0x00, 0x00, 0x80, ...enc.encode("abcdefgh")],
      [0x09, 0x00, 0x00, 0x00, 0x08, 0x08, 0x00, 0x50, ...enc.encode("vwxyz")],
    ].flat();
    const frame = (flg: number) => {
      const header = [0x04, 0x22, 0x4d, 0x18, flg, 0x40];
      const hc = (xxh32Header(new Uint8Array(header.slice(4))) >>> 8) & 0xff;
      return new Uint8Array([...header, hc, ...blocks, 0, 0, 0, 0]);
    };
    const want = enc.encode("abcdefgh" + "abcdefghabcd" + "vwxyz");
    assert.deepEqual(await lz4.decompress(frame(0x40)), want);
    assert.match((await decodeError(lz4.decompress(frame(0x60)))).message, /offset/);
  });

  test("decodes lz4js output (dependent-block flag, 4 MiB blocks)", async () => {
    // lz4js 0.2.0's frame for KNOWN; the Java broker refuses it (dependent blocks).
    const hex = "04224d184070df79000000f12b6b61666b6974206b6e6f776e2d616e7377657220766563746f723a" +
      "2074686520717569636b2062726f776e20666f78206a756d7073206f7665721f00916c617a792064" +
      "6f672c0e000f2d0014f30920616761696e3b207b226964223a312c2276223a2278227d11001c3211" +
      "00a0332c2276223a2278227d00000000";
    assert.deepEqual(await lz4.decompress(fromHex(hex)), known);
  });

  test("a magic 0 frame's legacy header checksum is fixed up, not accepted as it is", async () => {
    // Java's Lz4BlockOutputStream with useBrokenFlagDescriptorChecksum (as Kafka before 0.10
    // wrote magic 0 message sets) writes exactly kafka-lz4 with 0x1a as the checksum byte.
    const legacy = java("kafka-lz4").slice();
    legacy[6] = 0x1a;
    assert.match((await decodeError(lz4.decompress(legacy))).message, /header checksum/);
    const fixed = fixLegacyLz4Frame(legacy);
    assert.deepEqual(fixed, java("kafka-lz4"));
    assert.deepEqual(await lz4.decompress(fixed), known);
    const proper = java("kafka-lz4");
    assert.equal(fixLegacyLz4Frame(proper), proper);
    const neither = legacy.slice();
    neither[6] = 0x00;
    assert.equal(fixLegacyLz4Frame(neither), neither);
  });

  test("decodes concatenated and skippable frames", async () => {
    const skippable = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    const input = join(skippable, java("kafka-lz4"), java("kafka-lz4-empty"), java("kafka-lz4"));
    assert.deepEqual(await lz4.decompress(input), join(known, known));
  });

  test("rejects dictionaries, reserved bits, bad block sizes and trailing garbage", async () => {
    const good = java("kafka-lz4");
    const withFlg = (flg: number, bd = 0x40) => {
      const f = good.slice();
      f[4] = flg;
      f[5] = bd;
      f[6] = (xxh32Header(f.subarray(4, 6)) >>> 8) & 0xff;
      return f;
    };
    await decodeError(lz4.decompress(withFlg(0x61))); // dictionary id
    await decodeError(lz4.decompress(withFlg(0x62))); // reserved bit
    await decodeError(lz4.decompress(withFlg(0x80))); // version 2
    await decodeError(lz4.decompress(withFlg(0x60, 0x30))); // block size code 3
    await decodeError(lz4.decompress(withFlg(0x60, 0xc0))); // reserved BD bit
    await decodeError(lz4.decompress(join(good, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))));
  });
});

for (const [label, zstd] of [["", compressionCodec("zstd")], [" (fzstd)", portableZstd]] as const) {
  describe(`zstd details${label}`, () => {
    test("decodes a zstd-jni frame with a content checksum", async () => {
      assert.deepEqual(await zstd.decompress(java("zstd-checksum")), known);
    });

    test("decodes concatenated frames and skips skippable frames", async () => {
      const skippable = new Uint8Array([0x5e, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 7, 7]);
      const input = join(
        java("kafka-zstd"),
        skippable,
        java("kafka-zstd-empty"),
        java("kafka-zstd"),
      );
      assert.deepEqual(await zstd.decompress(input), join(known, known));
    });

    test("refuses a content size past maxSize before decoding", async () => {
      // The empty frame (single segment, 1-byte size) with its size set to 200.
      const frame = java("kafka-zstd-empty").slice();
      frame[5] = 200;
      assert.match((await decodeError(zstd.decompress(frame, 100))).message, /maxSize/);
    });

    test("refuses a window past the limit, dictionaries, reserved bits and block types", async () => {
      const good = java("kafka-zstd"); // not single segment: a window descriptor at byte 5
      const huge = good.slice();
      huge[5] = 0xf8; // a 2^41-byte window
      assert.match((await decodeError(zstd.decompress(huge))).message, /window/);
      const dict = java("kafka-zstd-empty").slice();
      dict[4] |= 0x01; // a 1-byte dictionary id follows: the size byte, 0x00 -> shift
      await decodeError(
        zstd.decompress(join(dict.subarray(0, 5), new Uint8Array([5]), dict.subarray(5))),
      );
      const reserved = good.slice();
      reserved[4] |= 0x08;
      await decodeError(zstd.decompress(reserved));
      const blockType = java("kafka-zstd-empty").slice();
      blockType[6] |= 0x06; // block type 3 (reserved)
      await decodeError(zstd.decompress(blockType));
    });

    test("levels: 19 is no larger than 1, out of range is a RangeError", async () => {
      const input = records(200_000);
      const fast = await zstdCodec({ level: 1 }).compress(input);
      const best = await zstdCodec({ level: 19 }).compress(input);
      assert.ok(best.length <= fast.length);
      assert.deepEqual(await zstd.decompress(best), input);
      for (const level of [23, -131073, 1.5]) assert.throws(() => zstdCodec({ level }), RangeError);
    });
  });
}

describe("codec registry", () => {
  test("finds every built-in codec by id and by name", () => {
    NAMES.forEach((name, i) => {
      const codec = compressionCodec(name);
      assert.equal(codec.id, i + 1);
      assert.equal(codec.name, name);
      assert.equal(compressionCodec(i + 1), codec);
    });
  });

  test("an unknown name or id is a TypeError naming it", () => {
    for (const bad of ["brotli", "GZIP", "none", 0, 5, 9, -1]) {
      assert.throws(() => compressionCodec(bad), (err: unknown) => {
        assert.ok(err instanceof TypeError);
        assert.ok(err.message.includes(typeof bad === "string" ? `"${bad}"` : String(bad)));
        return true;
      });
    }
  });

  test("a registered codec replaces the built-in for its id and name", async () => {
    const calls: string[] = [];
    const custom: CompressionCodec = {
      id: 2,
      name: "snappy",
      compress: (data) => {
        calls.push("compress");
        return Promise.resolve(data.slice());
      },
      decompress: (data) => {
        calls.push("decompress");
        return Promise.resolve(data.slice());
      },
    };
    try {
      registerCompressionCodec(custom);
      assert.equal(compressionCodec(2), custom);
      assert.equal(compressionCodec("snappy"), custom);
      assert.deepEqual(await compressionCodec(2).compress(known), known);
      assert.deepEqual(await compressionCodec("snappy").decompress(known), known);
      assert.deepEqual(calls, ["compress", "decompress"]);
    } finally {
      registerCompressionCodec(snappyCodec());
    }
    assert.notEqual(compressionCodec(2), custom);
  });

  test("a codec under a new name for an existing id drops the old name", () => {
    const renamed: CompressionCodec = { ...lz4Codec(), name: "lz4-native" };
    try {
      registerCompressionCodec(renamed);
      assert.equal(compressionCodec(3), renamed);
      assert.equal(compressionCodec("lz4-native"), renamed);
      assert.throws(() => compressionCodec("lz4"), TypeError);
    } finally {
      registerCompressionCodec(lz4Codec());
    }
    assert.throws(() => compressionCodec("lz4-native"), TypeError);
    assert.equal(compressionCodec("lz4").id, 3);
  });

  test("rejects a bad id, a name taken by another id, a codec without methods", () => {
    const base = gzipCodec();
    assert.throws(() => registerCompressionCodec({ ...base, id: 0 }), RangeError);
    assert.throws(() => registerCompressionCodec({ ...base, id: 8 }), RangeError);
    assert.throws(() => registerCompressionCodec({ ...base, id: 5 }), /taken by codec id 1/);
    assert.throws(() => registerCompressionCodec({ ...base, name: "" }), TypeError);
    assert.throws(
      () => registerCompressionCodec({ id: 6, name: "x" } as unknown as CompressionCodec),
      TypeError,
    );
  });
});

describe("event loop", () => {
  test("a long compression lets timers run between its slices", async () => {
    const input = records(4 * MiB);
    let ticks = 0;
    let running = true;
    const beat = () => {
      if (!running) return;
      ticks++;
      setTimeout(beat, 0);
    };
    setTimeout(beat, 0);
    const packed = await compressionCodec("gzip").compress(input);
    running = false;
    assert.ok(ticks > 0, "no timer ran while 4 MiB were gzipped");
    assert.ok(packed.length < input.length);
  });
});

/** xxHash32 of a short LZ4 frame descriptor, to build test frames. */
function xxh32Header(b: Uint8Array): number {
  const P1 = 0x9e3779b1, P2 = 0x85ebca77, P3 = 0xc2b2ae3d, P4 = 0x27d4eb2f, P5 = 0x165667b1;
  const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
  let h = (P5 + b.length) | 0;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) {
    const lane = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    h = Math.imul(rotl((h + Math.imul(lane, P3)) | 0, 17), P4);
  }
  for (; i < b.length; i++) h = Math.imul(rotl((h + Math.imul(b[i], P5)) | 0, 11), P1);
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}
