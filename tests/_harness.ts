// Drives the project's Kafka harness from tests that need to stop and start brokers.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout's root (tests also run from npm/build). */
function projectRoot(): string {
  for (
    let dir = dirname(fileURLToPath(import.meta.url));
    dir !== dirname(dir);
    dir = dirname(dir)
  ) {
    if (existsSync(join(dir, "scripts", "kafka", "harness.ts"))) return dir;
  }
  throw new Error("scripts/kafka/harness.ts not found above the tests");
}

/** Runs `harness.ts <args>` (e.g. `stop-node 2`) and resolves when it succeeded. */
export function harness(...args: string[]): Promise<void> {
  const root = projectRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, "node_modules", ".bin", "deno"), [
      "run",
      "-A",
      join(root, "scripts", "kafka", "harness.ts"),
      ...args,
    ], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => err += d);
    child.on("error", reject);
    child.on(
      "close",
      (code) => code === 0 ? resolve() : reject(new Error(`harness ${args.join(" ")}: ${err}`)),
    );
  });
}
