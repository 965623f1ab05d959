/**
 * Command definitions and their parsing: node:util's parseArgs (the same on Deno, Bun and
 * Node) with the options every command shares, and `--help` text made from the definitions.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Parsed, UsageError, type Values } from "./_args.ts";
import type { Context } from "./_context.ts";

/** One option of a command. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in the help text. */
  arg?: string;
  help: string;
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
