// The name and version of the runtime a benchmark runs on, for its report.

const host = globalThis as unknown as {
  Deno?: { version: { deno: string } };
  Bun?: { version: string };
  process?: { versions: { node: string } };
};

/** e.g. "deno 2.9.6", "bun 1.4.5", "node 24.21.0". */
export const RUNTIME: string = host.Deno
  ? `deno ${host.Deno.version.deno}`
  : host.Bun
  ? `bun ${host.Bun.version}`
  : `node ${host.process?.versions.node}`;
