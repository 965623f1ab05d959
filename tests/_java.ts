// Runs the Java client's tools (from the harness's Kafka jars) as interop peers.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** scripts/kafka/java_tool.sh, found upward from here (tests also run from npm/build). */
function findTool(): string {
  for (
    let dir = dirname(fileURLToPath(import.meta.url));
    dir !== dirname(dir);
    dir = dirname(dir)
  ) {
    const tool = join(dir, "scripts", "kafka", "java_tool.sh");
    if (existsSync(tool)) return tool;
  }
  throw new Error("scripts/kafka/java_tool.sh not found above the tests");
}
const TOOL = findTool();

/**
 * Starts a Kafka Java tool class with `args` and piped stdio; the caller reads its output and
 * must end it (`kill()`): java_tool.sh `exec`s the JVM, so the child is the JVM itself.
 */
export function spawnJavaTool(mainClass: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn("bash", [TOOL, mainClass, ...args], { stdio: ["pipe", "pipe", "pipe"] });
}

/** Runs a Kafka Java tool class with `args`, feeding `input`; resolves with its stdout. */
export function javaTool(mainClass: string, args: string[], input = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnJavaTool(mainClass, args);
    let out = "", err = "";
    child.stdout.on("data", (d) => out += d);
    child.stderr.on("data", (d) => err += d);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${mainClass} exited with ${code}: ${err}`));
    });
    child.stdin.end(input);
  });
}

/**
 * Reads `count` records of `topic` from the beginning with the Java ConsoleConsumer, printing
 * each as its formatter properties say; resolves with the printed lines.
 */
export async function javaConsume(
  brokers: string,
  topic: string,
  count: number,
  formatter: string[],
): Promise<string[]> {
  const out = await javaTool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
    "--bootstrap-server",
    brokers,
    "--topic",
    topic,
    "--from-beginning",
    "--max-messages",
    String(count),
    "--timeout-ms",
    "30000",
    ...formatter.flatMap((p) => ["--formatter-property", p]),
  ]);
  return out.trim().split("\n");
}
