/**
 * What sending the next Fetch before decoding the last answer gains on a network with
 * latency: a partition Reader drains --messages messages of --size bytes through the delay
 * proxy (`_delay_proxy.ts`: every chunk delayed --delays ms one way), once per variant of
 * kafkit, the variants interleaved (A, B, A, B, ...) for --rounds rounds at each delay.
 *
 *   deno run -A scripts/bench/fetch_ahead.ts [--messages 1000000] [--size 100]
 *     [--delays 0,1,5] [--rounds 3] [--variants on=mod.ts,off=/path/to/copy/mod.ts]
 *     [--brokers host:port]
 *
 * A variant is a kafkit entry module (`mod.ts` of a checkout); the first is the baseline of
 * the ratios. To measure the early fetch against none, point a variant at a copy of the tree
 * whose fetcher never fetches ahead. The topic (one partition) is seeded once by kafkit's
 * Writer and deleted at the end. Each drain runs in its own Deno process and reports its
 * messages/s from the first message to the last, and its CPU µs per message (the proxy's
 * own process not counted); the table gives each variant's median and the median of the
 * per-round ratios to the first variant.
 *
 * @module
 */

import process from "node:process";
import { list, parseOptions, positive } from "./_driver.ts";
import { startDelayProxy } from "./_delay_proxy.ts";
import { createTopic, deleteTopic } from "./_topics.ts";

const SELF = decodeURIComponent(new URL(import.meta.url).pathname);
const ROOT_MOD = decodeURIComponent(new URL("../../mod.ts", import.meta.url).pathname);

const args = parseOptions("fetch_ahead.ts", {
  messages: { type: "string", default: "1000000" },
  size: { type: "string", default: "100" },
  delays: { type: "string", default: "0,1,5" },
  rounds: { type: "string", default: "3" },
  variants: { type: "string", default: `on=${ROOT_MOD}` },
  // One drain, run by the orchestrator in a process of its own.
  drain: { type: "string" },
  topic: { type: "string" },
  delay: { type: "string" },
});
const brokers = (args as { brokers?: string }).brokers ?? Deno.env.get("KAFKA_BROKERS");
if (!brokers) throw new Error("--brokers or $KAFKA_BROKERS is required");
const messages = positive("messages", args.messages);

/** One drain's figures. */
interface Drained {
  rate: number;
  cpuUsPerMsg: number;
  fetches: number;
}

if (args.drain) {
  console.log(`RESULT ${JSON.stringify(await drain(args.drain, args.topic!, Number(args.delay)))}`);
  Deno.exit(0);
}

/** Reads `messages` messages of `topic`/0 with the Reader of module `mod`, through the proxy. */
async function drain(mod: string, topic: string, delayMs: number): Promise<Drained> {
  const { Reader } = await import(mod) as typeof import("../../mod.ts");
  const proxy = await startDelayProxy(delayMs);
  const r = new Reader({
    brokers: brokers!.split(","),
    topic,
    partition: 0,
    connect: proxy.connect,
  });
  try {
    await r.fetchMessage();
    const start = performance.now(), cpu = process.cpuUsage();
    for (let i = 1; i < messages; i++) await r.fetchMessage();
    const ms = performance.now() - start, used = process.cpuUsage(cpu);
    return {
      rate: (messages - 1) / ms * 1000,
      cpuUsPerMsg: (used.user + used.system) / (messages - 1),
      fetches: r.stats().totals.fetches,
    };
  } finally {
    await r.close();
    await proxy.close();
  }
}

async function run(mod: string, topic: string, delayMs: number): Promise<Drained> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      SELF,
      `--drain=${mod}`,
      `--topic=${topic}`,
      `--delay=${delayMs}`,
      `--messages=${messages}`,
      `--brokers=${brokers}`,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!out.success || !line) throw new Error(`drain of ${mod} failed:\n${stdout}`);
  return JSON.parse(line.slice(7));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const size = positive("size", args.size);
const rounds = positive("rounds", args.rounds);
const delays = list(args.delays).map(Number);
const variants = list(args.variants).map((v) => {
  const [name, mod] = v.split("=");
  return { name, mod: mod.startsWith("/") ? mod : `${Deno.cwd()}/${mod}` };
});

const topic = `kafkit-bench-fetch-ahead-${Date.now()}`;
await createTopic(brokers, topic, 1);
try {
  const { Writer } = await import(ROOT_MOD);
  {
    await using w = new Writer({
      brokers: brokers.split(","),
      topic,
      // Batches well below the broker's 1 MiB limit, framing included.
      batchSize: 4_000,
      batchBytes: 512 << 10,
    });
    const value = new Uint8Array(size).fill(120);
    for (let from = 0; from < messages; from += 10_000) {
      const n = Math.min(10_000, messages - from);
      await w.writeMessages(Array.from({ length: n }, () => ({ partition: 0, value })));
    }
  }
  console.log(
    `| one-way delay | variant | msgs/s (median of ${rounds}) | CPU µs/msg | msgs/fetch | ` +
      `ratio to ${variants[0].name} (median) | ratio per round |`,
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const delay of delays) {
    const got = new Map(variants.map((v) => [v.name, [] as Drained[]]));
    for (let round = 0; round < rounds; round++) {
      for (const v of variants) got.get(v.name)!.push(await run(v.mod, topic, delay));
    }
    const base = got.get(variants[0].name)!;
    for (const v of variants) {
      const runs = got.get(v.name)!;
      const ratios = runs.map((r, i) => r.rate / base[i].rate);
      console.log(
        `| ${delay} ms | ${v.name} | ${Math.round(median(runs.map((r) => r.rate)))} | ` +
          `${median(runs.map((r) => r.cpuUsPerMsg)).toFixed(2)} | ` +
          `${Math.round(messages / median(runs.map((r) => r.fetches)))} | ` +
          `${median(ratios).toFixed(2)} | ${ratios.map((x) => x.toFixed(2)).join(" ")} |`,
      );
    }
  }
} finally {
  await deleteTopic(brokers, topic);
}
