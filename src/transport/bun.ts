// The Bun socket adapter: Bun.connect, with or without TLS.

import type { Socket, SocketOptions } from "./socket.ts";
import { ChunkQueue } from "./_chunk_queue.ts";

const HIGH_WATER = 1024 * 1024;
/**
 * Idle time before keep-alive probes start, in ms: the system default (two hours on Linux)
 * would leave a connection to a vanished broker looking open for that long.
 */
const KEEP_ALIVE_IDLE = 60_000;

// The slice of Bun's socket API this adapter uses (Bun's types are not a dependency).
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  pause?(): void;
  resume?(): void;
  setNoDelay?(on: boolean): void;
  setKeepAlive?(on: boolean, delay?: number): void;
}
interface BunHandlers {
  open(s: BunSocket): void;
  data(s: BunSocket, chunk: Uint8Array): void;
  drain(s: BunSocket): void;
  close(s: BunSocket, error?: unknown): void;
  error(s: BunSocket, error: unknown): void;
  connectError?(s: BunSocket, error: unknown): void;
  end?(s: BunSocket): void;
  handshake?(s: BunSocket, success: boolean, authorizationError: Error | null): void;
}
// An empty object would mean no TLS to Bun, so `rejectUnauthorized` is always set.
interface BunTls {
  ca?: string | string[];
  cert?: string;
  key?: string;
  serverName: string;
  rejectUnauthorized: boolean;
}
declare const Bun: {
  connect(
    o: { hostname: string; port: number; tls?: BunTls; socket: BunHandlers },
  ): Promise<BunSocket>;
};

/** Opens a TCP or TLS connection with `Bun.connect`. */
export async function connectBun(options: SocketOptions): Promise<Socket> {
  // Assigned once connected; the queue's pause/resume may run before that and must see it.
  // deno-lint-ignore prefer-const
  let sock: BunSocket | undefined;
  const queue = new ChunkQueue(HIGH_WATER, () => sock?.pause?.(), () => sock?.resume?.());
  // Bytes Bun did not take yet; written again from `drain`.
  let pending: Uint8Array | undefined;
  let settle: ((error?: unknown) => void) | undefined;
  const settleWrite = (error?: unknown) => {
    const s = settle;
    settle = pending = undefined;
    s?.(error);
  };
  const flush = (s: BunSocket) => {
    while (pending) {
      const n = s.write(pending);
      if (n < pending.length) {
        pending = pending.subarray(Math.max(n, 0));
        return;
      }
      pending = undefined;
    }
    settleWrite();
  };
  // With TLS, the socket is ready once the handshake succeeded; failing earlier rejects it.
  let handshaken: (error?: unknown) => void = () => {};
  const handshake = new Promise<void>((resolve, reject) => {
    handshaken = (error) => error === undefined ? resolve() : reject(error);
  });
  handshake.catch(() => {});
  // Set once the peer closed the socket or it failed; later writes fail with it.
  let failure: unknown;
  const ended = (error?: unknown) => {
    failure ??= error ?? new Error("socket closed");
    queue.end(error);
    settleWrite(failure);
    handshaken(error ?? new Error("connection closed during the TLS handshake"));
  };
  const tls = options.tls;
  if (tls && (tls.cert === undefined) !== (tls.key === undefined)) {
    throw new TypeError("tls.cert and tls.key must be set together");
  }
  sock = await Bun.connect({
    hostname: options.host,
    port: options.port,
    tls: tls && {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      serverName: tls.serverName ?? options.host,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
    },
    socket: {
      open() {},
      // Without verification, a failed check still completes the handshake (success true).
      handshake(_s, success, error) {
        const message = `TLS handshake failed: ${error?.message ?? "certificate rejected"}`;
        handshaken(success ? undefined : new Error(message, { cause: error }));
      },
      // Bun reuses its read buffer, so the chunk is copied (into one of the queue's own).
      data: (_s, chunk) => queue.pushCopy(chunk),
      drain: flush,
      end: () => ended(),
      close: (_s, error) => ended(error),
      error: (_s, error) => ended(error),
    },
  });
  if (tls) {
    try {
      await handshake;
    } catch (e) {
      sock.end();
      throw e;
    }
  }
  sock.setNoDelay?.(true);
  if (options.keepAlive ?? true) sock.setKeepAlive?.(true, KEEP_ALIVE_IDLE);
  let closed = false;
  return {
    write(data) {
      if (closed || failure) return Promise.reject(failure ?? new Error("socket is closed"));
      const s = sock!;
      return new Promise((resolve, reject) => {
        pending = data;
        settle = (error) => error === undefined ? resolve() : reject(error);
        flush(s);
      });
    },
    read: () => queue.read(),
    close() {
      if (closed) return;
      closed = true;
      sock!.end();
      queue.end();
    },
  };
}
