// The Node.js socket adapter: node:net.

import { connect as netConnect } from "node:net";
import type { Socket, SocketOptions } from "./socket.ts";
import { ChunkQueue } from "./_chunk_queue.ts";

const HIGH_WATER = 1024 * 1024;

/** Opens a TCP connection with `node:net`. */
export function connectNode(options: SocketOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host: options.host, port: options.port, noDelay: true });
    if (options.keepAlive ?? true) sock.setKeepAlive(true);
    const queue = new ChunkQueue(HIGH_WATER, () => sock.pause(), () => sock.resume());
    sock.on("data", (chunk: Uint8Array) => queue.push(chunk));
    sock.on("end", () => queue.end());
    sock.on("close", () => queue.end());
    sock.once("error", (e) => {
      queue.end(e);
      reject(e);
    });
    sock.once("connect", () => {
      resolve({
        write(data) {
          if (sock.destroyed) return Promise.reject(new Error("socket is closed"));
          if (sock.write(data)) return Promise.resolve();
          // The runtime's buffer is full: settle once it drains (backpressure). Write errors
          // also end the read side, which is where the connection learns of them.
          return new Promise((ok, fail) => {
            const onDrain = () => {
              sock.off("close", onClose);
              ok();
            };
            const onClose = () => {
              sock.off("drain", onDrain);
              fail(new Error("socket closed before its buffer drained"));
            };
            sock.once("drain", onDrain);
            sock.once("close", onClose);
          });
        },
        read: () => queue.read(),
        close() {
          sock.destroy();
          queue.end();
        },
      });
    });
  });
}
