// The Bun socket adapter: Bun.connect.

import type { Socket, SocketOptions } from "./socket.ts";
import { ChunkQueue } from "./_chunk_queue.ts";

const HIGH_WATER = 1024 * 1024;

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
}
declare const Bun: {
  connect(o: { hostname: string; port: number; socket: BunHandlers }): Promise<BunSocket>;
};

/** Opens a TCP connection with `Bun.connect`. */
export async function connectBun(options: SocketOptions): Promise<Socket> {
  // Assigned once connected; the queue's pause/resume may run before that and must see it.
  // deno-lint-ignore prefer-const
  let sock: BunSocket | undefined;
  const queue = new ChunkQueue(HIGH_WATER, () => sock?.pause?.(), () => sock?.resume?.());
  // Bytes Bun did not take yet; written again from `drain`.
  let pending: Uint8Array | undefined;
  let drained: (() => void) | undefined;
  const flush = (s: BunSocket) => {
    while (pending) {
      const n = s.write(pending);
      if (n < pending.length) {
        pending = pending.subarray(Math.max(n, 0));
        return;
      }
      pending = undefined;
    }
    const d = drained;
    drained = undefined;
    d?.();
  };
  sock = await Bun.connect({
    hostname: options.host,
    port: options.port,
    socket: {
      open() {},
      // Bun reuses its read buffer, so the chunk is copied before it is queued.
      data: (_s, chunk) => queue.push(chunk.slice()),
      drain: flush,
      end: () => queue.end(),
      close: (_s, error) => queue.end(error),
      error: (_s, error) => queue.end(error),
    },
  });
  sock.setNoDelay?.(true);
  if (options.keepAlive ?? true) sock.setKeepAlive?.(true);
  let closed = false;
  return {
    write(data) {
      if (closed) return Promise.reject(new Error("socket is closed"));
      const s = sock!;
      return new Promise((resolve) => {
        pending = data;
        drained = resolve;
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
