/**
 * Command definitions and their parsing: node:util's parseArgs (the same on Deno, Bun and
 * Node) with the options every command shares, and `--help` text made from the definitions.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { Context } from "./_context.ts";

/** Bad command line input: exit code 2, with a pointer to `--help`. */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** One option of a command. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the help text. */
  arg?: string;
  help: string;
}

/** The options a command parsed: strings, booleans and repeated strings. */
export type Values = Record<string, string | boolean | string[] | undefined>;

/** What a command's `run` gets. */
export interface Parsed {
  values: Values;
  positionals: string[];
}

/** A runnable command (`produce`, or `topics list`). */
export interface Command {
  name: string;
  summary: string;
  /** The arguments after the command name, for the usage line. */
  usage: string;
  options: Record<string, OptionSpec>;
  run(input: Parsed, ctx: Context): Promise<void>;
}

/** A command with subcommands (`topics`, `groups`, `cluster`). */
export interface CommandGroup {
  name: string;
  summary: string;
  commands: Command[];
}

/** Options every command takes: where the cluster is, how to connect, and how to report. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  brokers: {
    type: "string",
    short: "b",
    arg: "HOST:PORT,...",
    help: "bootstrap brokers (env KAFKA_BROKERS)",
  },
  "command-config": {
    type: "string",
    short: "F",
    arg: "FILE",
    help: "a Java client .properties file (bootstrap.servers, security.protocol, sasl.*, ssl.*)",
  },
  tls: { type: "boolean", help: "connect with TLS (on by itself with any --tls-* option)" },
  "tls-ca": {
    type: "string",
    arg: "FILE",
    help: "trusted CA certificates, PEM (env KAFKA_TLS_CA)",
  },
  "tls-cert": {
    type: "string",
    arg: "FILE",
    help: "client certificate for mutual TLS, PEM (env KAFKA_TLS_CERT)",
  },
  "tls-key": {
    type: "string",
    arg: "FILE",
    help: "client private key for mutual TLS, PEM (env KAFKA_TLS_KEY)",
  },
  "tls-insecure": { type: "boolean", help: "do not verify the broker's certificate" },
  "sasl-mechanism": {
    type: "string",
    arg: "NAME",
    help: "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (env KAFKA_SASL_MECHANISM)",
  },
  "sasl-username": {
    type: "string",
    arg: "NAME",
    help: "SASL user (env KAFKA_SASL_USERNAME); the password only from env KAFKA_SASL_PASSWORD",
  },
  timeout: { type: "string", arg: "MS", help: "time allowed for each request (default 30000)" },
  verbose: { type: "boolean", short: "v", help: "print the stack trace of an error" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

/** Parses a command's arguments; a parse error is a UsageError. */
export function parseCommand(command: Command, args: string[]): Parsed {
  const options = { ...COMMON_OPTIONS, ...command.options };
  try {
    const { values, positionals } = parseArgs({
      args,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [name, {
          type: o.type,
          ...(o.short ? { short: o.short } : {}),
          ...(o.multiple ? { multiple: true } : {}),
        }]),
      ),
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Values, positionals };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** The help text of a command. */
export function commandHelp(path: string, command: Command): string {
  const lines = [`Usage: kafkit ${path} ${command.usage}`.trimEnd(), "", command.summary, ""];
  if (Object.keys(command.options).length > 0) {
    lines.push("Options:", ...optionLines(command.options), "");
  }
  lines.push("Connection and output:", ...optionLines(COMMON_OPTIONS));
  return lines.join("\n") + "\n";
}

/** The help text of a command group. */
export function groupHelp(group: CommandGroup): string {
  const width = Math.max(...group.commands.map((c) => c.name.length));
  return [
    `Usage: kafkit ${group.name} <command> [options]`,
    "",
    group.summary,
    "",
    "Commands:",
    ...group.commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    `Run 'kafkit ${group.name} <command> --help' for a command's options.`,
  ].join("\n") + "\n";
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const heads = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.arg ? ` ${o.arg}` : ""}`;
    return [flag, o.help + (o.multiple ? " (repeatable)" : "")];
  });
  const width = Math.max(...heads.map(([f]) => f.length));
  return heads.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`);
}

/** A string option's value (the last one, if given several times). */
export function stringOf(values: Values, name: string): string | undefined {
  const v = values[name];
  return Array.isArray(v) ? v.at(-1) : typeof v === "string" ? v : undefined;
}

/** A repeatable option's values. */
export function listOfValues(values: Values, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

/** A required string option. */
export function requiredString(values: Values, name: string): string {
  const v = stringOf(values, name);
  if (v === undefined || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** An integer option within [min, max], or undefined when absent. */
export function intOption(
  values: Values,
  name: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = stringOf(values, name);
  if (v === undefined) return undefined;
  return intArg(`--${name}`, v, min, max);
}

/** An integer argument within [min, max]. */
export function intArg(what: string, v: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(
      `${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

/** `name=value` arguments (configs, headers) as pairs; the value may contain `=`. */
export function keyValues(what: string, items: string[]): [string, string][] {
  return items.map((item) => {
    const at = item.indexOf("=");
    if (at <= 0) throw new UsageError(`${what} takes NAME=VALUE, got ${JSON.stringify(item)}`);
    return [item.slice(0, at), item.slice(at + 1)];
  });
}

/** Exactly `count` positional arguments (or at least one with `"some"`). */
export function positionalsOf(input: Parsed, what: string, count: number | "some"): string[] {
  const p = input.positionals;
  if (count === "some" ? p.length === 0 : p.length !== count) {
    throw new UsageError(
      count === "some" ? `give at least one ${what}` : `give exactly ${count} ${what}`,
    );
  }
  return p;
}

/** A time: milliseconds since the epoch, or an ISO 8601 date (`2026-01-02T03:04:05Z`). */
export function timeArg(what: string, v: string): number {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isSafeInteger(ms)) {
    throw new UsageError(`${what}: ${JSON.stringify(v)} is neither epoch ms nor an ISO 8601 time`);
  }
  return ms;
}
