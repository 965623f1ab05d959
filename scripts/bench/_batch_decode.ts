// The consumer side of the codec benchmark: what decompressing fetched record batches costs
// per record, measured as CPU time (the machine may be shared, so wall time would mislead).
//
// A "fetch" is about 1 MiB of records, encoded by kafkit's own encoder into batches of a
// given uncompressed size (16 KiB is the Java producer's default batch.size; 1 MiB is a
// producer with large batches). For each codec two costs are measured:
// - decompress: the codec alone on each batch's compressed records, as MB/s of output per
//   CPU second and CPU µs per record;
// - decode: readRecordBatches on the whole fetch (CRC, decompression, record parsing), CPU µs
//   per record, next to the same fetch uncompressed.
// Rounds of the codecs are interleaved (A, B, A, B) and the median round is reported.

import process from "node:process";
import { compressionCodec } from "../../src/protocol/compression/mod.ts";
import { encodeRecordBatch, readRecordBatches } from "../../src/protocol/records.ts";
import { jsonValue, letterValues } from "./_data.ts";

/** Uncompressed bytes of record values per fetch. */
const FETCH_BYTES = 1024 * 1024;
/** The v2 batch header, before the (compressed) records. */
const V2_HEADER = 61;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** CPU milliseconds each measurement runs for, per round. */
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 150);

/** Record values of one kind. */
export interface Workload {
  name: string;
  values: Uint8Array[];
}

/** Random uppercase letters (100 B and 1 KiB, as ProducerPerformance) and JSON events. */
export function workloads(): Workload[] {
  const json: Uint8Array[] = [];
  for (let n = 0, i = 0; n < FETCH_BYTES; i++) {
    json.push(jsonValue(i));
    n += json[i].length;
  }
  return [
    { name: "letters 100 B", values: letterValues(Math.ceil(FETCH_BYTES / 100), 100) },
    { name: "letters 1 KiB", values: letterValues(FETCH_BYTES / 1024, 1024) },
    { name: `json ~${json[0].length} B`, values: json },
  ];
}

/** One fetch of one workload in one codec. */
interface Fetch {
  codec: string;
  records: number;
  bytes: Uint8Array;
  /** Each batch's compressed records, and how many bytes they decompress to. */
  payloads: Uint8Array[];
  plainBytes: number;
}

/** Splits fetched batches into their compressed payloads; counts records and output. */
async function fetchOf(codec: string, bytes: Uint8Array): Promise<Fetch> {
  const batches = await readRecordBatches(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payloads: Uint8Array[] = [];
  let plainBytes = 0;
  for (let at = 0, i = 0; i < batches.length; i++) {
    const end = at + view.getInt32(at + 8) + 12;
    payloads.push(bytes.subarray(at + V2_HEADER, end));
    if (codec !== "none") {
      plainBytes += (await compressionCodec(codec).decompress(payloads[i])).length;
    }
    at = end;
  }
  const records = batches.reduce((n, b) => n + b.records.length, 0);
  // A fetch cut by the size limit ends in a partial batch, which decoding leaves out.
  const used = payloads.length === 0 ? 0 : payloads[payloads.length - 1].byteOffset -
    bytes.byteOffset + payloads[payloads.length - 1].length;
  return { codec, records, bytes: bytes.subarray(0, used), payloads, plainBytes };
}

async function encodeFetch(w: Workload, codec: string, batchBytes: number): Promise<Fetch> {
  const parts: Uint8Array[] = [];
  let batch: { value: Uint8Array; timestamp: number }[] = [];
  let size = 0;
  let offset = 0;
  const flush = async () => {
    const compression = codec as "none";
    parts.push(await encodeRecordBatch(batch, { baseOffset: offset, compression }));
    offset += batch.length;
    batch = [];
    size = 0;
  };
  for (const value of w.values) {
    batch.push({ value, timestamp: 1_700_000_000_000 + offset + batch.length });
    size += value.length;
    if (size >= batchBytes) await flush();
  }
  if (batch.length > 0) await flush();
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (bytes.set(p, at), at + p.length), 0);
  return fetchOf(codec, bytes);
}

/**
 * The fetches `codec_java_batches.ts` saved in `dir` (`<codec>-<size>.bin`), for the codecs
 * asked for, grouped by value size.
 */
async function javaFetches(dir: string, codecs: string[]): Promise<Map<string, Fetch[]>> {
  const { readdirSync, readFileSync } = await import("node:fs");
  const groups = new Map<string, Fetch[]>();
  for (const name of readdirSync(dir).sort()) {
    const m = /^(\w+)-(\d+)\.bin$/.exec(name);
    if (!m || !codecs.includes(m[1])) continue;
    const data = `java letters ${m[2] === "1024" ? "1 KiB" : `${m[2]} B`}`;
    const f = await fetchOf(m[1], new Uint8Array(readFileSync(`${dir}/${name}`)));
    groups.set(data, [...groups.get(data) ?? [], f]);
  }
  return groups;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU ms per call of `fn`, over at least ROUND_MS of CPU. */
async function perCall(fn: () => Promise<unknown>): Promise<number> {
  let calls = 0;
  const start = cpuMs();
  let used = 0;
  while (used < ROUND_MS || calls < 3) {
    await fn();
    calls++;
    used = cpuMs() - start;
  }
  return used / calls;
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];

/** One row of the report. */
export interface DecodeRow {
  data: string;
  batch: string;
  codec: string;
  ratio: string;
  /** MB of output per CPU second, codec alone. */
  mbps: string;
  /** CPU µs per record, codec alone. */
  decompressUs: string;
  /** CPU µs per record, readRecordBatches on the fetch. */
  decodeUs: string;
}

/** Measures the fetches of one workload (one per codec), interleaving them round by round. */
async function measure(data: string, batch: string, fetches: Fetch[]): Promise<DecodeRow[]> {
  const decompressMs = fetches.map((): number[] => []);
  const decodeMs = fetches.map((): number[] => []);
  for (let round = 0; round <= ROUNDS; round++) { // round 0 warms up
    for (const [i, f] of fetches.entries()) {
      if (f.codec !== "none") {
        const codec = compressionCodec(f.codec);
        const ms = await perCall(async () => {
          for (const p of f.payloads) await codec.decompress(p);
        });
        if (round > 0) decompressMs[i].push(ms);
      }
      const ms = await perCall(async () => {
        let n = 0;
        for (const b of await readRecordBatches(f.bytes)) n += b.records.length;
        if (n !== f.records) throw new Error(`${f.codec}: decoded ${n} of ${f.records} records`);
      });
      if (round > 0) decodeMs[i].push(ms);
    }
  }
  return fetches.map((f, i) => {
    const none = f.codec === "none";
    const d = none ? 0 : median(decompressMs[i]);
    const compressed = f.bytes.length - V2_HEADER * f.payloads.length;
    return {
      data,
      batch,
      codec: f.codec,
      ratio: none ? "1.00" : (f.plainBytes / compressed).toFixed(2),
      mbps: none ? "-" : (f.plainBytes / 1e6 / (d / 1000)).toFixed(0),
      decompressUs: none ? "-" : (d * 1000 / f.records).toFixed(3),
      decodeUs: (median(decodeMs[i]) * 1000 / f.records).toFixed(3),
    };
  });
}

/**
 * Measures every codec in `codecs` ("none" included for reference) on every workload, in
 * batches of each of `batchSizes` bytes of values, then the Java client's fetches saved in
 * `javaDir` if given.
 */
export async function benchBatchDecode(
  codecs: string[],
  batchSizes: number[],
  javaDir?: string,
): Promise<DecodeRow[]> {
  const rows: DecodeRow[] = [];
  for (const w of workloads()) {
    for (const batchBytes of batchSizes) {
      const fetches: Fetch[] = [];
      for (const c of codecs) fetches.push(await encodeFetch(w, c, batchBytes));
      const batch = batchBytes >= 1 << 20 ? `${batchBytes >> 20} MiB` : `${batchBytes >> 10} KiB`;
      rows.push(...await measure(w.name, batch, fetches));
    }
  }
  if (javaDir) {
    for (const [data, fetches] of await javaFetches(javaDir, codecs)) {
      rows.push(...await measure(data, "java", fetches));
    }
  }
  return rows;
}
