/**
 * A network with latency between a benchmark's client and the broker: the Go program in
 * `delay_proxy/main.go` (standard library only, built on first use, see `_go_build.ts`) delays every chunk it forwards, either way, by
 * the one-way delay given, in order and without capping throughput. It runs in its own
 * process, so its work does not share the client's event loop. The `connect` option routes
 * every dial — the bootstrap list and the addresses the broker advertises — through a
 * listener of the proxy for that address, opened on first use.
 *
 * @module
 */

import type { Connect } from "../../mod.ts";
import { detectConnect } from "../../src/transport/socket.ts";
import { goBinary } from "./_go_build.ts";

const HERE = decodeURIComponent(new URL(".", import.meta.url).pathname);

/** A running delay proxy. */
export interface DelayProxy {
  /** The client option that sends every connection through the proxy. */
  connect: Connect;
  /** Ends the proxy and its connections. */
  close(): Promise<void>;
}

/** The proxy's binary, built once per source. */
const binary = () =>
  goBinary("delay-proxy", {
    "main.go": Deno.readTextFileSync(`${HERE}delay_proxy/main.go`),
    "go.mod": "module kafkit.bench/delay-proxy\n\ngo 1.22\n",
  });

/** Starts a proxy delaying each chunk by `delayMs` one way (a round trip gains twice that). */
export async function startDelayProxy(delayMs: number): Promise<DelayProxy> {
  const child = new Deno.Command(await binary(), {
    args: [`-delay=${delayMs}ms`],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const input = child.stdin.getWriter();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let pending = "";
  /** The next line the proxy prints. */
  async function line(): Promise<string> {
    while (!pending.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("the delay proxy ended");
      pending += value;
    }
    const at = pending.indexOf("\n");
    const l = pending.slice(0, at);
    pending = pending.slice(at + 1);
    return l;
  }
  const ports = new Map<string, Promise<number>>();
  // One question at a time: answers come in the order asked.
  let asking: Promise<unknown> = Promise.resolve();
  const portFor = (target: string): Promise<number> => {
    let port = ports.get(target);
    if (!port) {
      port = asking.then(async () => {
        await input.write(new TextEncoder().encode(`${target}\n`));
        const [answered, p] = (await line()).split(" ");
        if (answered !== target) throw new Error(`the delay proxy answered ${answered}`);
        return Number(p);
      });
      asking = port.catch(() => {});
      ports.set(target, port);
    }
    return port;
  };
  const base = await detectConnect();
  return {
    connect: async (options) => {
      const port = await portFor(`${options.host}:${options.port}`);
      return base({ ...options, host: "127.0.0.1", port });
    },
    async close() {
      await input.close().catch(() => {});
      await child.status;
    },
  };
}
