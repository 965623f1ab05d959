/**
 * The consumer's fetch path on its own, without a broker: CPU µs and GC time per message of
 * turning a fetched partition (1 MiB of 100 B records, uncompressed or in one snappy batch)
 * into messages, the way a Reader does (`fetchedMessages`, decoding in slices).
 *
 *   node scripts/bench/fetch_path.ts [--src <dir>,<dir>] [--rounds 5] [--seconds 2]
 *
 * `--src` names the source trees to compare (default this checkout's `src`); they are run in
 * turn, round after round, in one process each time so a noisy machine hits them alike.
 * GC time comes from `PerformanceObserver` "gc" entries where the runtime has them (Node;
 * Deno and Bun report none). Runs on Node 24, Bun and Deno (`deno run -A`).
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { RUNTIME } from "./_runtime.ts";

const HERE = decodeURIComponent(new URL(".", import.meta.url).pathname);
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    src: { type: "string", default: `${HERE}../../src` },
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "2" },
    child: { type: "string" },
    codec: { type: "string", default: "none" },
  },
});

const MESSAGES_PER_FETCH = 8000; // 8000 × ~128 B of batch ≈ 1 MiB
const VALUE_SIZE = 100;

async function child(src: string, codec: string, seconds: number): Promise<void> {
  const { encodeRecordBatch } = await import(`${src}/protocol/records.ts`);
  const { fetchedMessages } = await import(`${src}/cluster/requests/fetched.ts`);
  const value = new Uint8Array(VALUE_SIZE).map((_, i) => (i * 31 + 7) & 0xff);
  const perBatch = codec === "none" ? 100 : MESSAGES_PER_FETCH;
  const parts: Uint8Array[] = [];
  for (let base = 0; base < MESSAGES_PER_FETCH; base += perBatch) {
    const records = Array.from({ length: perBatch }, (_, i) => ({
      value,
      timestamp: 1_700_000_000_000 + base + i,
    }));
    parts.push(await encodeRecordBatch(records, { baseOffset: base, compression: codec }));
  }
  const records = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (records.set(p, at), at + p.length), 0);
  const part = { highWatermark: BigInt(MESSAGES_PER_FETCH), records, abortedTransactions: null };
  let gcMs = 0;
  let gcEntries = 0;
  const hooks = await import("node:perf_hooks").catch(() => undefined);
  const observer = hooks?.PerformanceObserver && new hooks.PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcEntries++;
    }
  });
  try {
    observer?.observe({ entryTypes: ["gc"] });
  } catch {
    // no gc entries on this runtime
  }
  const run = async () => {
    let sum = 0;
    const { messages } = await fetchedMessages(part, "t", 0, 0, {
      readCommitted: false,
      maxBytes: 1 << 20,
      yieldToEventLoop: true,
    });
    for (const m of messages) sum += m.value!.length + m.offset;
    return sum;
  };
  for (let i = 0; i < 50; i++) await run(); // JIT warm-up
  gcMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) {
    await run();
    n += MESSAGES_PER_FETCH;
  }
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => setTimeout(r, 50)); // the last gc entries
  observer?.disconnect();
  console.log(JSON.stringify({
    cpuUsPerMsg: (cpu.user + cpu.system) / n,
    // Bun takes the observer but reports no gc entries: no figure rather than zero.
    gcUsPerMsg: gcEntries > 0 ? gcMs * 1000 / n : null,
  }));
}

if (values.child) {
  await child(values.child, values.codec!, Number(values.seconds));
} else {
  const srcs = values.src!.split(",");
  const results = new Map<string, { cpu: number[]; gc: number[] }>();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const codec of ["none", "snappy"]) {
      for (const src of round % 2 ? [...srcs].reverse() : srcs) {
        const out = spawnSync(process.execPath, [
          ...process.execArgv,
          ...(RUNTIME.startsWith("deno") ? ["run", "-A"] : []),
          new URL(import.meta.url).pathname,
          "--child",
          src,
          "--codec",
          codec,
          "--seconds",
          values.seconds!,
        ], { encoding: "utf8" });
        if (out.status !== 0) throw new Error(out.stderr);
        const r = JSON.parse(out.stdout.trim().split("\n").pop()!);
        const key = `${codec} ${src}`;
        if (!results.has(key)) results.set(key, { cpu: [], gc: [] });
        results.get(key)!.cpu.push(r.cpuUsPerMsg);
        if (r.gcUsPerMsg !== null) results.get(key)!.gc.push(r.gcUsPerMsg);
        console.error(`round ${round} ${key}: ${out.stdout.trim()}`);
      }
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${RUNTIME}: median over ${values.rounds} rounds of ${values.seconds} s`);
  console.log("| codec | src | CPU µs/msg | GC µs/msg |\n|---|---|--:|--:|");
  for (const [key, r] of results) {
    const [codec, src] = key.split(" ");
    const gc = r.gc.length ? median(r.gc).toFixed(3) : "n/a";
    console.log(`| ${codec} | ${src} | ${median(r.cpu).toFixed(3)} | ${gc} |`);
  }
}
