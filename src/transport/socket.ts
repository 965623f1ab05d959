/**
 * The small socket interface the core depends on. One adapter per runtime implements it
 * (`deno.ts`, `bun.ts`, `node.ts`); a user can pass their own `connect` function instead.
 *
 * @module
 */

/** A connected byte stream to one broker. */
export interface Socket {
  /**
   * Writes all of `data`. The promise settles when the bytes were handed to the runtime and
   * its buffer has room again, so a slow broker slows the writer down (backpressure).
   * Callers wait for one write to settle before starting the next.
   */
  write(data: Uint8Array): Promise<void>;
  /**
   * The next chunk of bytes, or `null` once the peer closed the stream. The chunk is only
   * valid until the next call: callers copy what they keep.
   */
  read(): Promise<Uint8Array | null>;
  /** Closes the stream; pending reads resolve to `null`. */
  close(): void;
}

/** Where and how to connect. */
export interface SocketOptions {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
  /** Enable TCP keep-alive probes (default true). */
  keepAlive?: boolean;
}

/** Opens a socket; the per-runtime adapters and user-supplied transports have this shape. */
export type Connect = (options: SocketOptions) => Promise<Socket>;

/** Picks the adapter for the runtime this code runs on, loading it on first use. */
export async function detectConnect(): Promise<Connect> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  if (g.Deno !== undefined) return (await import("./deno.ts")).connectDeno;
  if (g.Bun !== undefined) return (await import("./bun.ts")).connectBun;
  return (await import("./node.ts")).connectNode;
}
