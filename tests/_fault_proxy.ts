/**
 * A TCP proxy on 127.0.0.1 that a test puts between the client and the real broker to make
 * faults a broker or a network makes: every open connection black-holed (no byte forwarded
 * either way, no FIN or RST: a dead host, a NAT that forgot the flow), or one answer of an API
 * corrupted. Its `connect` option routes every dial — the bootstrap list and the addresses
 * the broker advertises in Metadata and FindCoordinator — through a listener of the proxy for
 * that address, opened on first use, so no connection bypasses it.
 *
 * @module
 */

import {
  connect as netConnect,
  createServer,
  type Server,
  type Socket as NetSocket,
} from "node:net";
import type { Connect } from "../mod.ts";
import { detectConnect } from "../src/transport/socket.ts";

/** Splits a byte stream into Kafka's size-prefixed frames (size prefix included). */
class Frames {
  #buffer = new Uint8Array(0);

  /** Adds a chunk and returns the frames it completed. */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.#buffer.length + chunk.length);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.length);
    const out: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 4) {
      const size = new DataView(joined.buffer, at).getInt32(0);
      if (joined.length - at - 4 < size) break;
      out.push(joined.subarray(at, at + 4 + size));
      at += 4 + size;
    }
    this.#buffer = joined.slice(at);
    return out;
  }
}

/** One client connection and its upstream connection to the broker. */
interface Pair {
  client: NetSocket;
  upstream: NetSocket;
  /** Black-holed: nothing is forwarded any more, and neither side's close is passed on. */
  dead: boolean;
  /** Requests whose answer is corrupted, by correlation id: called once it went out. */
  corrupt: Map<number, () => void>;
}

/** What a test can do with the proxy. */
export class FaultProxy {
  readonly #listeners = new Map<string, Promise<{ server: Server; port: number }>>();
  readonly #pairs = new Set<Pair>();
  /** API keys whose next request gets a corrupted answer (one each). */
  readonly #corruptNext = new Map<number, () => void>();
  /** Connections accepted, per broker address. */
  readonly dials = new Map<string, number>();
  #closed = false;
  /** Set by {@linkcode refuseNew}: a listener opened later closes what it accepts. */
  #refusing = false;

  /** The `connect` option that sends every connection through the proxy. */
  readonly connect: Connect = async (options) => {
    const port = await this.#listen(options.host, options.port);
    return (await detectConnect())({ ...options, host: "127.0.0.1", port });
  };

  /** Connections accepted in all. */
  get totalDials(): number {
    return [...this.dials.values()].reduce((a, b) => a + b, 0);
  }

  /** Connections open now that still forward. */
  get live(): number {
    return [...this.#pairs].filter((p) => !p.dead).length;
  }

  /**
   * Black-holes every open connection: from now on nothing is forwarded either way and the
   * sockets stay open, as with a host that vanished. New connections work. Returns how many.
   */
  blackholeAll(): number {
    let n = 0;
    for (const p of this.#pairs) {
      if (!p.dead) n++;
      p.dead = true;
    }
    return n;
  }

  /**
   * Closes every open connection both ways, as a broker or a middlebox that resets them does:
   * each side sees its connection end. New connections work. Returns how many.
   */
  dropAll(): number {
    const n = this.live;
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.#pairs.clear();
    return n;
  }

  /**
   * Stops accepting connections: every dial from now on is refused, while the connections
   * open (black-holed or not) stay as they are — no broker can be reached any more.
   */
  async refuseNew(): Promise<void> {
    this.#refusing = true;
    const servers = await Promise.all(this.#listeners.values());
    for (const { server } of servers) server.close();
  }

  /**
   * Corrupts the answer to the next request of API `apiKey` (on any connection): the client
   * gets a frame with the right correlation id and a truncated body, which cannot decode.
   * Resolves once that answer went out.
   */
  corruptNextAnswer(apiKey: number): Promise<void> {
    return new Promise((resolve) => this.#corruptNext.set(apiKey, resolve));
  }

  #listen(host: string, port: number): Promise<number> {
    const target = `${host}:${port}`;
    let listening = this.#listeners.get(target);
    if (!listening) {
      listening = new Promise((resolve, reject) => {
        const server = createServer((client) => this.#accept(client, host, port));
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
          const address = server.address();
          if (address === null || typeof address === "string") {
            reject(new Error("the proxy has no TCP port"));
          } else resolve({ server, port: address.port });
        });
      });
      this.#listeners.set(target, listening);
    }
    return listening.then((l) => l.port);
  }

  #accept(client: NetSocket, host: string, port: number): void {
    const target = `${host}:${port}`;
    this.dials.set(target, (this.dials.get(target) ?? 0) + 1);
    if (this.#closed || this.#refusing) {
      client.destroy();
      return;
    }
    client.pause();
    const upstream = netConnect({ host, port, noDelay: true });
    client.setNoDelay(true);
    const pair: Pair = { client, upstream, dead: false, corrupt: new Map() };
    this.#pairs.add(pair);
    const requests = new Frames();
    const answers = new Frames();
    upstream.once("connect", () => client.resume());
    client.on("data", (chunk: Uint8Array) => {
      if (pair.dead) return;
      for (const frame of requests.push(chunk)) {
        const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
        const apiKey = view.getInt16(4);
        const done = this.#corruptNext.get(apiKey);
        if (done) {
          this.#corruptNext.delete(apiKey);
          pair.corrupt.set(view.getInt32(8), done);
        }
        upstream.write(frame);
      }
    });
    upstream.on("data", (chunk: Uint8Array) => {
      if (pair.dead) return;
      for (const frame of answers.push(chunk)) {
        const id = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getInt32(4);
        const done = pair.corrupt.get(id);
        if (!done) {
          client.write(frame);
          continue;
        }
        pair.corrupt.delete(id);
        // The correlation id and one byte of what follows: a body cut short.
        const cut = frame.slice(0, 9);
        new DataView(cut.buffer).setInt32(0, 5);
        client.write(cut);
        done();
      }
    });
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // A black-holed connection passes on no close: it just goes quiet.
    client.on("close", () => pair.dead || end());
    upstream.on("close", () => pair.dead || end());
    client.on("error", () => {});
    upstream.on("error", () => {});
  }

  /** Closes every listener and connection, black-holed ones included. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.#pairs.clear();
    const servers = await Promise.all(this.#listeners.values());
    await Promise.all(
      servers.map(({ server }) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  }
}
