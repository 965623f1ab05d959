/**
 * Record batch and CRC-32C throughput, on whichever runtime runs it:
 *
 *   deno run -A scripts/bench/records.ts
 *   bun scripts/bench/records.ts
 *   node scripts/bench/records.ts          (Node 24; Node 20 runs npm/build/scripts/...)
 *
 * Encodes and decodes 1M records of 100 B and of 1 KiB values, in batches of 1,000 records
 * (about what a producer sends per partition), and hashes 64 MiB with CRC-32C.
 *
 * @module
 */

import process from "node:process";
import {
  readRecordBatches,
  type RecordInput,
  writeRecordBatch,
} from "../../src/protocol/records.ts";
import { crc32c } from "../../src/wire/crc32c.ts";
import { ByteWriter } from "../../src/wire/byte_writer.ts";
import { RUNTIME } from "./_runtime.ts";

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const PER_BATCH = 1000;

function makeRecords(valueSize: number): RecordInput[] {
  const value = new Uint8Array(valueSize);
  for (let i = 0; i < valueSize; i++) value[i] = (i * 31 + 7) & 0xff;
  return Array.from({ length: PER_BATCH }, (_, i) => ({
    key: new TextEncoder().encode(`key-${i}`),
    value,
    timestamp: 1_700_000_000_000 + i,
  }));
}

async function bench(valueSize: number): Promise<string[]> {
  const records = makeRecords(valueSize);
  const batches = RECORDS / PER_BATCH;
  const w = new ByteWriter(PER_BATCH * (valueSize + 32));
  // Warm up the JIT, then time.
  for (let i = 0; i < 20; i++) {
    w.reset();
    writeRecordBatch(w, records);
  }
  let bytes = 0;
  let t = performance.now();
  for (let i = 0; i < batches; i++) {
    w.reset();
    writeRecordBatch(w, records, { baseOffset: i * PER_BATCH });
    bytes += w.length;
  }
  const encodeMs = performance.now() - t;
  const encoded = w.bytes().slice();
  for (let i = 0; i < 20; i++) await readRecordBatches(encoded);
  t = performance.now();
  let seen = 0;
  for (let i = 0; i < batches; i++) {
    for (const b of await readRecordBatches(encoded)) seen += b.records.length;
  }
  const decodeMs = performance.now() - t;
  if (seen !== RECORDS) throw new Error(`decoded ${seen} records, expected ${RECORDS}`);
  const row = (what: string, ms: number) =>
    `${what.padEnd(22)} ${(RECORDS / ms / 1000).toFixed(2).padStart(8)} M rec/s ${
      (bytes / ms / 1000).toFixed(0).padStart(7)
    } MB/s`;
  return [row(`encode ${valueSize} B`, encodeMs), row(`decode ${valueSize} B`, decodeMs)];
}

function benchCrc(): string {
  const data = new Uint8Array(64 * 1024 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  crc32c(data.subarray(0, 1 << 20));
  const t = performance.now();
  crc32c(data);
  const ms = performance.now() - t;
  return `${"crc32c 64 MiB".padEnd(22)} ${(data.length / ms / 1e6).toFixed(2).padStart(8)} GB/s`;
}

console.log(
  `kafkit record batch benchmark on ${RUNTIME}: ${RECORDS} records, ${PER_BATCH} per batch`,
);
for (const size of [100, 1024]) for (const line of await bench(size)) console.log(line);
console.log(benchCrc());
