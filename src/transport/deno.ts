// The Deno socket adapter: Deno.connect.

import type { Socket, SocketOptions } from "./socket.ts";

const CHUNK = 64 * 1024;

/** Opens a TCP connection with `Deno.connect`. */
export async function connectDeno(options: SocketOptions): Promise<Socket> {
  const conn = await Deno.connect({ hostname: options.host, port: options.port });
  conn.setNoDelay(true);
  conn.setKeepAlive(options.keepAlive ?? true);
  const buffer = new Uint8Array(CHUNK);
  let closed = false;
  return {
    async write(data) {
      let off = 0;
      while (off < data.length) off += await conn.write(data.subarray(off));
    },
    async read() {
      if (closed) return null;
      try {
        const n = await conn.read(buffer);
        return n === null ? null : buffer.subarray(0, n);
      } catch (e) {
        if (closed) return null;
        throw e;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch { /* already closed by the peer */ }
    },
  };
}
