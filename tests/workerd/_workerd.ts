// Building and hosting Workers in tests: esbuild with a Worker build's settings, and ports.

import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../_run_script.ts";

/** The devDependencies' binaries (workerd, esbuild). */
export const BIN: string = join(ROOT, "node_modules", ".bin");
const run = promisify(execFile);

/**
 * Bundles `entry` with the settings a Worker build uses (wrangler's conditions), and nothing
 * marked external: kafkit imports node:net, node:tls and node:zlib only on first use,
 * dynamically, in a way esbuild leaves to run time, so the Worker loads without them.
 * `extra` adds esbuild flags (an `--alias`, say).
 */
export async function bundle(entry: string, outfile: string, extra: string[] = []): Promise<void> {
  await run(join(BIN, "esbuild"), [
    entry,
    "--bundle",
    "--format=esm",
    "--platform=neutral",
    "--conditions=workerd,worker,browser",
    "--main-fields=browser,module,main",
    "--log-level=warning",
    `--outfile=${outfile}`,
    ...extra,
  ]);
}

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
