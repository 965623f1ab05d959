/**
 * The `kafkit` command line: produce, consume, topics, groups, cluster and offsets, on
 * Deno, Bun and Node.
 *
 * ```sh
 * deno run -A jsr:@kafkit/kafkit/cli topics list --brokers localhost:9092
 * npx kafkit consume --topic events --from beginning --exit-at-end
 * ```
 *
 * Exit codes: 0 done, 1 an error (one line, with the broker's message; the stack trace with
 * `--verbose`), 2 a usage error, 130 stopped by Ctrl-C (after committing and leaving; Deno
 * ends such a run by the signal itself, which a shell also reports as 130).
 *
 * @module
 */

import process from "node:process";
import { VERSION } from "../version.ts";
import {
  type Command,
  type CommandGroup,
  commandHelp,
  groupHelp,
  parseCommand,
} from "./_command.ts";
import { UsageError } from "./_args.ts";
import { Context } from "./_context.ts";
import { clusterCommands } from "./cluster.ts";
import { consumeCommand } from "./consume.ts";
import { groupCommands } from "./groups.ts";
import { offsetsCommand } from "./offsets.ts";
import { produceCommand } from "./produce.ts";
import { topicCommands } from "./topics.ts";

const COMMANDS: (Command | CommandGroup)[] = [
  produceCommand,
  consumeCommand,
  topicCommands,
  groupCommands,
  clusterCommands,
  offsetsCommand,
];

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `kafkit ${VERSION}: the kafkit Kafka client's command line`,
    "",
    "Usage: kafkit <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) =>
      `  ${c.name.padEnd(width)}  ${c.summary.split(/ \(|\. /)[0].replace(/\.$/, "")}`
    ),
    "",
    "Connection: --brokers or KAFKA_BROKERS; --command-config FILE (Java client .properties);",
    "TLS: --tls-ca/--tls-cert/--tls-key (KAFKA_TLS_*); SASL: --sasl-mechanism, --sasl-username",
    "(KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME) and KAFKA_SASL_PASSWORD (only from the env).",
    "",
    "Run 'kafkit <command> --help' for a command's options.",
    "Exit codes: 0 done, 1 error, 2 usage error, 130 stopped by Ctrl-C (cleanly).",
  ].join("\n") + "\n";
}

/** Finds the command `args` name: [command, its path for help, its arguments]. */
function resolve(args: string[]): [Command, string, string[]] | string {
  const found = COMMANDS.find((c) => c.name === args[0]);
  if (!found) throw new UsageError(`unknown command ${JSON.stringify(args[0])}`);
  if ("run" in found) return [found, found.name, args.slice(1)];
  const sub = args[1];
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    return groupHelp(found);
  }
  const command = found.commands.find((c) => c.name === sub);
  if (!command) {
    throw new UsageError(`unknown ${found.name} command ${JSON.stringify(sub)}`);
  }
  return [command, `${found.name} ${command.name}`, args.slice(2)];
}

/** Runs the CLI with `args` (without the program name); resolves with the exit code. */
export async function main(
  args: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  if (args.length === 0 || args[0] === "--help" || args[0] === "-h" || args[0] === "help") {
    process.stdout.write(topHelp());
    return args.length === 0 ? 2 : 0;
  }
  if (args[0] === "--version") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  // Before the arguments are parsed (or when they cannot be), a plain look for the flag.
  let verbose = args.includes("--verbose") || args.includes("-v");
  const stop = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    // A second Ctrl-C does not wait for the clean stop.
    if (++interrupts > 1) process.exit(130);
    stop.abort(new Error("interrupted"));
  };
  let path = args[0];
  let ctx: Context | undefined;
  try {
    const resolved = resolve(args);
    if (typeof resolved === "string") {
      process.stdout.write(resolved);
      return 0;
    }
    const [command, commandPath, rest] = resolved;
    path = commandPath;
    const input = parseCommand(command, rest);
    verbose = input.values.verbose === true;
    if (input.values.help === true) {
      process.stdout.write(commandHelp(path, command));
      return 0;
    }
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    ctx = new Context(input.values, env, stop);
    await command.run(input, ctx);
    // A command stopped by Ctrl-C has finished cleanly, but says it was interrupted; one
    // whose reader went away (`| head`) is done.
    return interrupts > 0 ? 130 : 0;
  } catch (e) {
    return report(e, path, verbose);
  } finally {
    await ctx?.close().catch(() => {});
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** Prints an error (one line per failed item) and returns its exit code. */
function report(e: unknown, path: string, verbose: boolean): number {
  if (e instanceof UsageError) {
    process.stderr.write(`kafkit ${path}: ${e.message}\nRun 'kafkit ${path} --help' for usage.\n`);
    return 2;
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(message.split("\n").map((l) => `kafkit ${path}: ${l}\n`).join(""));
  if (verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return 1;
}

/** Runs the CLI on the process's arguments and exits with its code once output is flushed. */
export async function runProcess(): Promise<void> {
  const code = await main(process.argv.slice(2));
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(code);
}

if (import.meta.main) await runProcess();
