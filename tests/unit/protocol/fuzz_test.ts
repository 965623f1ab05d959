// Random, truncated and mutated bytes never make a decoder throw anything but DecodeError,
// never make it allocate arrays longer than its input, and never hang. FUZZ_RUNS scales the
// number of cases (default: 100k over the whole file) for a longer campaign.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import process from "node:process";
import { ByteReader } from "../../../src/wire/byte_reader.ts";
import { ByteWriter } from "../../../src/wire/byte_writer.ts";
import { DecodeError } from "../../../src/errors.ts";
import {
  encodeRecordBatch,
  readRecordBatches,
  writeRecordBatch,
} from "../../../src/protocol/records.ts";
import { crc32c } from "../../../src/wire/crc32c.ts";
import { Framer } from "../../../src/transport/_framer.ts";
import { parseRange, structDefinitions } from "../../../scripts/_kafka_specs.ts";
import { codecFor, liveSpecs, Sampler } from "./_samples.ts";

const SCALE = Number(process.env.FUZZ_RUNS ?? 100_000) / 100_000;
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

const specs = liveSpecs().map((spec) => ({
  spec,
  codec: codecFor(spec),
  defs: structDefinitions(spec),
  range: parseRange(spec.validVersions),
}));

/** Applies byte mutations: each is (position fraction, xor mask); then truncates. */
function mutate(bytes: Uint8Array, edits: [number, number][], keep: number): Uint8Array {
  const out = bytes.slice(0, Math.max(0, Math.floor(bytes.length * keep)));
  for (const [at, mask] of edits) {
    if (out.length > 0) out[Math.floor(at * out.length) % out.length] ^= mask;
  }
  return out;
}

/** Throws unless `e` is a DecodeError. */
function onlyDecodeErrors(e: unknown, where: string): void {
  if (!(e instanceof DecodeError)) {
    throw new Error(`${where}: expected DecodeError, got ${e instanceof Error ? e.stack : e}`);
  }
}

/** Every array in a decoded value is no longer than the input it came from. */
function assertBounded(value: unknown, inputLength: number, where: string): void {
  if (Array.isArray(value)) {
    assert.ok(
      value.length <= inputLength,
      `${where}: array of ${value.length} from ${inputLength} bytes`,
    );
    for (const v of value) assertBounded(v, inputLength, where);
  } else if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
    for (const v of Object.values(value)) assertBounded(v, inputLength, where);
  }
}

function decodeAny(entry: (typeof specs)[number], version: number, bytes: Uint8Array): void {
  const where = `${entry.spec.name} v${version}`;
  try {
    const r = new ByteReader(bytes);
    const value = entry.codec.read(r, version);
    r.done(where);
    assertBounded(value, bytes.length, where);
  } catch (e) {
    onlyDecodeErrors(e, where);
  }
}

const edits = fc.array(
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 255 })),
  {
    maxLength: 4,
  },
);

describe("decoders under random and corrupted input", () => {
  test("mutated and truncated encodings of every message", () => {
    fc.assert(
      fc.property(
        fc.nat(specs.length - 1),
        fc.nat(),
        fc.integer({ min: 0, max: 1000 }),
        edits,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (index, seed, versionPick, changes, keep) => {
          const entry = specs[index];
          const { lo, hi } = entry.range;
          const version = lo + (versionPick % (hi - lo + 1));
          const w = new ByteWriter();
          entry.codec.write(
            w,
            new Sampler(seed, entry.defs).struct(entry.spec.fields, version),
            version,
          );
          decodeAny(entry, version, mutate(w.bytes(), changes, keep < 0.3 ? keep / 0.3 : 1));
        },
      ),
      { numRuns: runs(50_000) },
    );
  });

  test("random bytes as any message", () => {
    fc.assert(
      fc.property(
        fc.nat(specs.length - 1),
        fc.integer({ min: 0, max: 1000 }),
        fc.uint8Array({ maxLength: 64 }),
        (index, versionPick, bytes) => {
          const entry = specs[index];
          const { lo, hi } = entry.range;
          decodeAny(entry, lo + (versionPick % (hi - lo + 1)), bytes);
        },
      ),
      { numRuns: runs(25_000) },
    );
  });

  test("record batches: mutated, truncated and random", async () => {
    const enc = new TextEncoder();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: fc.option(fc.string()), value: fc.option(fc.string()) }), {
          minLength: 1,
          maxLength: 5,
        }),
        edits,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.uint8Array({ maxLength: 80 }),
        async (records, changes, keep, noise) => {
          const w = new ByteWriter();
          writeRecordBatch(
            w,
            records.map((r) => ({
              key: r.key === null ? null : enc.encode(r.key),
              value: r.value === null ? null : enc.encode(r.value),
            })),
          );
          for (const bytes of [mutate(w.bytes(), changes, keep < 0.3 ? keep / 0.3 : 1), noise]) {
            // Without the CRC check the mutations reach the record decoder itself.
            for (const checkCrcs of [true, false]) {
              try {
                const batches = await readRecordBatches(bytes, { checkCrcs });
                for (const b of batches) assert.ok(b.records.length <= bytes.length);
              } catch (e) {
                onlyDecodeErrors(e, "record batch");
              }
            }
          }
        },
      ),
      { numRuns: runs(20_000) },
    );
  });

  test("compressed batches with corrupted payloads (CRC re-sealed) reach every codec", async () => {
    const codecs = ["gzip", "snappy", "lz4", "zstd"] as const;
    const enc = new TextEncoder();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(codecs.length - 1),
        fc.array(fc.string(), { minLength: 1, maxLength: 8 }),
        edits,
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (codec, values, changes, keep) => {
          const batch = await encodeRecordBatch(values.map((v) => ({ value: enc.encode(v) })), {
            compression: codecs[codec],
          });
          // Corrupt only the compressed records, then fix the length and CRC so the batch
          // passes its own checks and the codec sees the damage.
          const payload = mutate(batch.subarray(61), changes, keep < 0.3 ? keep / 0.3 : 1);
          const bytes = new Uint8Array(61 + payload.length);
          bytes.set(batch.subarray(0, 61));
          bytes.set(payload, 61);
          const view = new DataView(bytes.buffer);
          view.setInt32(8, bytes.length - 12);
          view.setUint32(17, crc32c(bytes.subarray(21)));
          try {
            const [decoded] = await readRecordBatches(bytes, { maxDecompressedSize: 1 << 16 });
            assert.ok(decoded.records.length <= values.length);
          } catch (e) {
            onlyDecodeErrors(e, `${codecs[codec]} batch`);
          }
        },
      ),
      { numRuns: runs(4_000) },
    );
  });

  test("frame sizes: corrupt prefixes fail before allocating", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), (bytes) => {
        const framer = new Framer(1024);
        const size = new DataView(bytes.buffer, bytes.byteOffset).getInt32(0);
        try {
          framer.push(bytes, (frame) => assert.ok(frame.length <= 1024));
          assert.ok(size >= 0 && size <= 1024, `size ${size} accepted`);
        } catch (e) {
          onlyDecodeErrors(e, "framer");
          assert.ok(size < 0 || size > 1024);
        }
      }),
      { numRuns: runs(5_000) },
    );
  });
});
