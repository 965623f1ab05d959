// Running the project's documentation code (README blocks, examples/) as a reader would: as a
// subprocess of the runtime running the test, its kafkit imports pointed at this checkout
// (the sources, or the npm build when the test itself runs compiled under Node 20).

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import process from "node:process";

/** The checkout's root: the folder above this file with the README and deno.json. */
function findRoot(): string {
  for (
    let dir = dirname(fileURLToPath(import.meta.url));
    dir !== dirname(dir);
    dir = dirname(dir)
  ) {
    if (existsSync(join(dir, "README.md")) && existsSync(join(dir, "deno.json"))) return dir;
  }
  throw new Error("README.md not found above the tests");
}

/** The checkout's root folder. */
export const ROOT: string = findRoot();
/** Compiled to npm/build (Node 20), this file ends in .js and the library is the build's. */
export const COMPILED: boolean = import.meta.url.endsWith(".js");
/** The files of kafkit's entry points, by subpath, relative to the root. */
export const ENTRY: Record<string, string> = COMPILED
  ? {
    "": "npm/build/mod.js",
    "/core": "npm/build/src/core.js",
    "/protocol": "npm/build/src/protocol/mod.js",
  }
  : { "": "mod.ts", "/core": "src/core.ts", "/protocol": "src/protocol/mod.ts" };
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);
/** Whether this runtime runs TypeScript that uses `await using` as written. */
export const RUNS_TS: boolean = !COMPILED &&
  ("Deno" in globalThis || "Bun" in globalThis || NODE_MAJOR >= 24);

/** `code` with its imports of kafkit (JSR's or npm's name) pointed at this checkout. */
export function localImports(code: string): string {
  return code.replace(
    /from "(?:@kafkit\/kafkit|kafkit)(\/core|\/protocol)?"/g,
    (_, sub: string | undefined) => `from "${pathToFileURL(join(ROOT, ENTRY[sub ?? ""])).href}"`,
  );
}

/** The command that runs `file` on this runtime. */
function command(file: string): string[] {
  const deno = (globalThis as unknown as { Deno?: { execPath(): string } }).Deno;
  if (deno) return [deno.execPath(), "run", "-A", "--config", join(ROOT, "deno.json"), file];
  return [process.execPath, file];
}

/** How to run a script. */
export interface RunOptions {
  /** Killed (SIGKILL) after this many ms. */
  timeout: number;
  /** Variables added to this process's environment. */
  env?: Record<string, string>;
  /** Once the output matches `output`, the script is sent `signal` (once). */
  signalWhen?: { output: RegExp; signal: "SIGINT" | "SIGTERM" };
}

/** Runs `file`: its exit code, its stdout, and its output (stdout and stderr as they came). */
export function runScript(
  file: string,
  options: RunOptions,
): Promise<{ code: number | null; stdout: string; output: string }> {
  const [cmd, ...args] = command(file);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...options.env },
    });
    let output = "";
    let stdout = "";
    let signalled = false;
    const collect = (d: unknown) => {
      output += d;
      const when = options.signalWhen;
      if (when && !signalled && when.output.test(output)) {
        signalled = true;
        // Not child.kill(): Deno's node:child_process then reports the exit as killed by the
        // signal even when the script handles it and exits 0.
        process.kill(child.pid!, when.signal);
      }
    };
    child.stdout.on("data", (d) => {
      stdout += d;
      collect(d);
    });
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      output += `\n[killed after ${options.timeout} ms]`;
      child.kill("SIGKILL");
    }, options.timeout);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, output });
    });
  });
}
