/**
 * `kafkit produce`: writes lines (optionally `key<SEP>value`) or JSON lines from stdin or a
 * file to a topic, through a Writer (batched, idempotent with acks=all, retried).
 *
 * @module
 */

import { createReadStream } from "node:fs";
import process from "node:process";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Header, MessageInput } from "../message.ts";
import { Murmur2Balancer } from "../producer/balancers.ts";
import { Writer } from "../producer/writer.ts";
import type { CompressionName } from "../protocol/compression/codec.ts";
import type { Command } from "./_command.ts";
import {
  intOption,
  keyValues,
  listOfValues,
  requiredString,
  stringOf,
  UsageError,
  type Values,
} from "./_args.ts";
import { Progress } from "./_output.ts";
import { partitionsOf } from "./_partitions.ts";

const COMPRESSIONS = ["none", "gzip", "snappy", "lz4", "zstd"];
const ACKS: Record<string, -1 | 0 | 1> = { all: -1, "-1": -1, "1": 1, "0": 0 };
/** Messages per writeMessages call, and calls in flight: enough to fill batches. */
const CHUNK = 1000;
const IN_FLIGHT = 4;

/** How one input line becomes a message. */
type LineReader = (line: string, n: number) => MessageInput;

function lineReaderOf(values: Values): LineReader {
  const format = stringOf(values, "format") ?? "plain";
  const separator = stringOf(values, "key-separator");
  const headers: Header[] = keyValues("--header", listOfValues(values, "header"))
    .map(([key, value]) => ({ key, value }));
  const partition = intOption(values, "partition", 0, 2 ** 31 - 1);
  const fixed = {
    ...(headers.length ? { headers } : {}),
    ...(partition !== undefined ? { partition } : {}),
  };
  if (format === "json") {
    if (separator !== undefined) throw new UsageError("--key-separator is for --format plain");
    return (line, n) => ({ ...fixed, ...jsonMessage(line, n) });
  }
  if (format !== "plain") throw new UsageError(`--format takes plain or json, got ${format}`);
  if (separator === undefined) return (line) => ({ ...fixed, value: line });
  if (separator === "") throw new UsageError("--key-separator must not be empty");
  return (line, n) => {
    const at = line.indexOf(separator);
    if (at < 0) throw new UsageError(`line ${n}: no key separator ${JSON.stringify(separator)}`);
    return { ...fixed, key: line.slice(0, at), value: line.slice(at + separator.length) };
  };
}

/** `{"key", "value", "headers", "partition", "timestamp"}`; a non-string value as JSON text. */
function jsonMessage(line: string, n: number): MessageInput {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line);
  } catch (e) {
    throw new UsageError(`line ${n}: not JSON: ${(e as Error).message}`);
  }
  if (o === null || typeof o !== "object" || Array.isArray(o)) {
    throw new UsageError(`line ${n}: a JSON object is expected`);
  }
  const text = (v: unknown) =>
    v === undefined || v === null ? null : typeof v === "string" ? v : JSON.stringify(v);
  const m: MessageInput = { key: text(o.key), value: text(o.value) };
  if (o.headers !== undefined) m.headers = headersOf(o.headers, n);
  if (o.partition !== undefined) {
    if (!Number.isInteger(o.partition)) {
      throw new UsageError(`line ${n}: partition must be an integer`);
    }
    m.partition = o.partition as number;
  }
  if (o.timestamp !== undefined) {
    const t = new Date(o.timestamp as number | string);
    if (Number.isNaN(t.getTime())) throw new UsageError(`line ${n}: bad timestamp`);
    m.time = t;
  }
  return m;
}

/** Headers as `{name: value}` or `[{key, value}]`. */
function headersOf(h: unknown, n: number): Header[] {
  const pairs = Array.isArray(h)
    ? h.map((x) => [x?.key, x?.value])
    : h !== null && typeof h === "object"
    ? Object.entries(h)
    : null;
  if (
    !pairs || pairs.some(([k, v]) => typeof k !== "string" || (v !== null && typeof v !== "string"))
  ) {
    throw new UsageError(`line ${n}: headers must be {"name": "value"} or [{"key", "value"}]`);
  }
  return pairs.map(([key, value]) => ({ key, value }));
}

function bytesOf(m: MessageInput): number {
  const size = (v: unknown) =>
    typeof v === "string" ? v.length : v instanceof Uint8Array ? v.length : 0;
  return size(m.key) + size(m.value);
}

/** The `produce` command. */
export const produceCommand: Command = {
  name: "produce",
  summary: "Writes each input line as a message (plain: the line is the value, or key and " +
    "value around --key-separator; json: {key, value, headers, partition, timestamp}).",
  usage: "--topic TOPIC [--file FILE] [options]",
  options: {
    topic: { type: "string", short: "t", arg: "TOPIC", help: "the topic (required)" },
    file: { type: "string", short: "f", arg: "FILE", help: "read this file (default stdin)" },
    format: { type: "string", arg: "plain|json", help: "the input's form (default plain)" },
    "key-separator": {
      type: "string",
      short: "K",
      arg: "SEP",
      help: "split plain lines into key SEP value",
    },
    header: {
      type: "string",
      short: "H",
      multiple: true,
      arg: "NAME=VALUE",
      help: "a header on every message",
    },
    partition: {
      type: "string",
      short: "p",
      arg: "N",
      help: "write to this partition (default: by key, murmur2 as Java)",
    },
    compression: {
      type: "string",
      short: "z",
      arg: "CODEC",
      help: "none (default), gzip, snappy, lz4, zstd",
    },
    acks: {
      type: "string",
      short: "a",
      arg: "all|1|0",
      help: "acknowledgements to wait for (default all)",
    },
    quiet: { type: "boolean", short: "q", help: "no progress line" },
  },
  async run({ values }, ctx) {
    const topic = requiredString(values, "topic");
    const readLine = lineReaderOf(values);
    const compression = stringOf(values, "compression") ?? "none";
    if (!COMPRESSIONS.includes(compression)) {
      throw new UsageError(`--compression takes ${COMPRESSIONS.join(", ")}, got ${compression}`);
    }
    const acks = ACKS[stringOf(values, "acks") ?? "all"];
    if (acks === undefined) throw new UsageError(`--acks takes all, 1 or 0`);
    const file = stringOf(values, "file");
    const input: Readable = file === undefined ? process.stdin : createReadStream(file);
    const admin = await ctx.admin();
    // Fails at once on a missing topic or partition, not after the delivery timeout.
    await partitionsOf(admin, topic, values, ctx.signal);
    await using writer = new Writer({
      cluster: admin.cluster,
      topic,
      balancer: new Murmur2Balancer(),
      requiredAcks: acks,
      ...(ctx.timeout !== undefined ? { deliveryTimeout: ctx.timeout } : {}),
      ...(compression !== "none" ? { compression: compression as CompressionName } : {}),
    });
    const progress = new Progress(`produce ${topic}`, values.quiet !== true);
    const pending = new Set<Promise<void>>();
    let failure: unknown;
    const send = (chunk: MessageInput[]) => {
      const p: Promise<void> = writer.writeMessages(chunk)
        .then(() => progress.add(chunk.length, chunk.reduce((n, m) => n + bytesOf(m), 0)))
        .catch((e) => failure ??= e)
        .finally(() => pending.delete(p));
      pending.add(p);
      return p;
    };
    try {
      let chunk: MessageInput[] = [];
      let n = 0;
      const lines = createInterface({ input, crlfDelay: Infinity });
      // Ctrl-C ends the input (a terminal's stdin would otherwise wait for another line).
      ctx.signal.addEventListener("abort", () => lines.close(), { once: true });
      for await (const line of lines) {
        n++;
        if (failure) break;
        chunk.push(readLine(line, n));
        if (chunk.length < CHUNK) continue;
        send(chunk);
        chunk = [];
        while (pending.size >= IN_FLIGHT) await Promise.race(pending);
      }
      lines.close();
      // What was read is written, after Ctrl-C too.
      if (chunk.length > 0 && !failure) send(chunk);
      await Promise.all(pending);
    } finally {
      progress.done();
    }
    if (failure) throw failure;
  },
};
