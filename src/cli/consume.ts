/**
 * `kafkit consume`: prints a topic's messages, from some or all partitions (a Reader per
 * partition) or as a member of a group (one group Reader; offsets of printed messages
 * committed, and committed again on Ctrl-C before leaving the group).
 *
 * @module
 */

import process from "node:process";
import { abortable } from "../_async/abortable.ts";
import type { Client } from "../admin/client.ts";
import { FirstOffset, LastOffset } from "../offsets.ts";
import { mergeIterators } from "../consumer/merge.ts";
import { Reader } from "../consumer/reader.ts";
import type { Message } from "../message.ts";
import type { Command } from "./_command.ts";
import { intOption, requiredString, stringOf, timeArg, UsageError, type Values } from "./_args.ts";
import type { Context } from "./_context.ts";
import { Progress, toJson } from "./_output.ts";
import { PARTITION_OPTION, partitionsOf } from "./_partitions.ts";

/** Where to start: the log's start or end, an offset, or a time. */
type From = "beginning" | "end" | { offset: number } | { timestamp: number };

function fromOf(v: string | undefined): From {
  if (v === undefined || v === "end") return "end";
  if (v === "beginning") return "beginning";
  if (/^\d+$/.test(v)) return { offset: Number(v) };
  return { timestamp: timeArg("--from", v.startsWith("@") ? v.slice(1) : v) };
}

const decoder = new TextDecoder();
const text = (b: Uint8Array | null) => b === null ? null : decoder.decode(b);

/** How a message is printed. */
function printerOf(values: Values): (m: Message) => string {
  const format = stringOf(values, "format") ?? "plain";
  const separator = stringOf(values, "key-separator");
  if (format === "json") {
    return (m) =>
      toJson({
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        timestamp: m.time.getTime(),
        key: text(m.key),
        value: text(m.value),
        headers: m.headers.map((h) => ({ key: h.key, value: text(h.value) })),
      });
  }
  if (format !== "plain") throw new UsageError(`--format takes plain or json, got ${format}`);
  if (separator === undefined) return (m) => text(m.value) ?? "";
  return (m) => `${text(m.key) ?? ""}${separator}${text(m.value) ?? ""}`;
}

/** Counts printed messages; says when the run is over (count, or every partition's end). */
class Stop {
  readonly #count: number | undefined;
  /** Partition -> the log end taken at the start; a partition is done at its end. */
  readonly #ends: Map<number, number> | undefined;
  #printed = 0;

  constructor(count: number | undefined, ends: Map<number, number> | undefined) {
    this.#count = count;
    this.#ends = ends;
  }

  /** Whether `m` is past the end of its partition (not to be printed). */
  beyondEnd(m: Message): boolean {
    const end = this.#ends?.get(m.partition);
    return this.#ends !== undefined && (end === undefined || m.offset >= end);
  }

  /** Counts a printed message. */
  printed(m: Message): void {
    this.#printed++;
    const end = this.#ends?.get(m.partition);
    if (end !== undefined && m.offset + 1 >= end) this.#ends!.delete(m.partition);
  }

  /** Marks partitions that have nothing to read before their end. */
  skip(partition: number): void {
    this.#ends?.delete(partition);
  }

  get done(): boolean {
    return (this.#count !== undefined && this.#printed >= this.#count) ||
      (this.#ends !== undefined && this.#ends.size === 0);
  }
}

/** The `consume` command. */
export const consumeCommand: Command = {
  name: "consume",
  summary: "Prints a topic's messages (plain: the value, or key SEP value with " +
    "--key-separator; json: topic, partition, offset, timestamp, key, value, headers). " +
    "Ctrl-C stops cleanly (a group member commits and leaves).",
  usage: "--topic TOPIC [--group GROUP] [--from WHERE] [--count N] [--exit-at-end] [options]",
  options: {
    topic: { type: "string", short: "t", arg: "TOPIC", help: "the topic (required)" },
    group: { type: "string", short: "g", arg: "GROUP", help: "read as a member of this group" },
    ...PARTITION_OPTION,
    from: {
      type: "string",
      arg: "WHERE",
      help: "beginning, end (default), an offset, or a time (@epoch-ms or ISO 8601); " +
        "with --group only beginning or end, for partitions without a committed offset",
    },
    count: { type: "string", short: "c", arg: "N", help: "stop after N messages" },
    "exit-at-end": {
      type: "boolean",
      short: "e",
      help: "stop at the end each partition had when the command started (with --group: " +
        "of every partition of the topic, so run one member)",
    },
    format: { type: "string", arg: "plain|json", help: "output form (default plain)" },
    "key-separator": { type: "string", short: "K", arg: "SEP", help: "print key SEP value" },
    quiet: { type: "boolean", short: "q", help: "no progress line" },
  },
  async run({ values }, ctx) {
    const topic = requiredString(values, "topic");
    const group = stringOf(values, "group");
    const from = fromOf(stringOf(values, "from"));
    const count = intOption(values, "count", 1);
    const print = printerOf(values);
    const admin = await ctx.admin();
    const partitions = await partitionsOf(admin, topic, values, ctx.signal);
    const progress = new Progress(
      `consume ${topic}`,
      values.quiet !== true && !process.stdout.isTTY,
    );
    try {
      const run = group === undefined ? consumePartitions : consumeGroup;
      await run(
        { admin, ctx, topic, group: group!, partitions, from, count, values },
        async (m) => {
          await ctx.out.line(print(m));
          progress.add(1, (m.key?.length ?? 0) + (m.value?.length ?? 0));
        },
      );
    } finally {
      progress.done();
    }
  },
};

interface Run {
  admin: Client;
  ctx: Context;
  topic: string;
  group: string;
  partitions: number[];
  from: From;
  count: number | undefined;
  values: Values;
}

/** The log end of each partition now (for --exit-at-end). */
async function endsOf(r: Run): Promise<Map<number, number> | undefined> {
  if (r.values["exit-at-end"] !== true) return undefined;
  const ends = await offsetsAt(r, "end");
  return new Map(r.partitions.map((p, i) => [p, ends[i]]));
}

/** Each partition's offset at the start, the end, or a time (the end where none is). */
async function offsetsAt(
  r: Run,
  at: "beginning" | "end" | { timestamp: number },
): Promise<number[]> {
  const spec = at === "beginning" ? "earliest" : at === "end" ? "latest" : at;
  const found = await r.admin.listOffsets(
    r.partitions.map((partition) => ({ topic: r.topic, partition, spec })),
    { signal: r.ctx.signal },
  );
  const failed = found.find((f) => f.error);
  if (failed) throw failed.error;
  if (typeof at !== "object") return found.map((f) => f.offset);
  const ends = await offsetsAt(r, "end");
  return found.map((f, i) => f.offset < 0 ? ends[i] : f.offset);
}

/** Without a group: a Reader per partition, each set at its start, merged. */
async function consumePartitions(r: Run, print: (m: Message) => Promise<void>): Promise<void> {
  const ends = await endsOf(r);
  let starts: number[];
  if (typeof r.from === "object" && "offset" in r.from) {
    // An offset outside a partition's log starts at the nearer end, as a reset would.
    const [low, high] = [await offsetsAt(r, "beginning"), await offsetsAt(r, "end")];
    const offset = r.from.offset;
    starts = r.partitions.map((_, i) => Math.min(Math.max(offset, low[i]), high[i]));
  } else starts = await offsetsAt(r, r.from as "beginning" | "end" | { timestamp: number });
  const stop = new Stop(r.count, ends);
  const readers: Reader[] = [];
  r.partitions.forEach((partition, i) => {
    if (ends && starts[i] >= ends.get(partition)!) return stop.skip(partition);
    const reader = new Reader({ cluster: r.admin.cluster, topic: r.topic, partition });
    reader.setOffset(starts[i]);
    readers.push(reader);
  });
  try {
    if (stop.done) return;
    const messages = mergeIterators(...readers)[Symbol.asyncIterator]();
    try {
      while (true) {
        const next = await abortable(messages.next(), r.ctx.signal);
        if (next.done) return;
        if (stop.beyondEnd(next.value)) continue;
        await print(next.value);
        stop.printed(next.value);
        if (stop.done) return;
      }
    } finally {
      messages.return(undefined).catch(() => {});
    }
  } catch (e) {
    if (!r.ctx.signal.aborted) throw e;
  } finally {
    await Promise.all(readers.map((reader) => reader.close()));
  }
}

/** As a group member: commits what it printed; Ctrl-C commits and leaves the group. */
async function consumeGroup(r: Run, print: (m: Message) => Promise<void>): Promise<void> {
  if (typeof r.from === "object") {
    throw new UsageError(
      "--from takes only beginning or end with --group (move a group with groups reset-offsets)",
    );
  }
  if (r.values.partition !== undefined) {
    throw new UsageError("--partition cannot be given with --group (the group assigns them)");
  }
  const ends = await endsOf(r);
  const stop = new Stop(r.count, ends);
  if (ends) {
    // Where the group starts each partition: its committed offset, else --from's end.
    const [committed] = await r.admin.fetchOffsets([{ groupId: r.group, topics: [r.topic] }], {
      signal: r.ctx.signal,
    });
    if (committed.error) throw committed.error;
    const fallback = await offsetsAt(r, r.from);
    r.partitions.forEach((p, i) => {
      const c = committed.offsets.find((o) => o.partition === p && o.offset >= 0)?.offset;
      if ((c ?? fallback[i]) >= ends.get(p)!) stop.skip(p);
    });
    if (stop.done) return;
  }
  const reader = new Reader({
    cluster: r.admin.cluster,
    groupId: r.group,
    groupTopics: [r.topic],
    startOffset: r.from === "beginning" ? FirstOffset : LastOffset,
    // Commits go out once a second (and on close), not one round trip per message.
    commitInterval: 1000,
  });
  try {
    while (!stop.done) {
      const m = await reader.fetchMessage({ signal: r.ctx.signal });
      if (stop.beyondEnd(m)) continue;
      await print(m);
      await reader.commitMessages([m]);
      stop.printed(m);
    }
  } catch (e) {
    if (!r.ctx.signal.aborted) throw e;
  } finally {
    await reader.close();
  }
}
