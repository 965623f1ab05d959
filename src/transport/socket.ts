/**
 * The small socket interface the core depends on. One adapter per runtime implements it
 * (`deno.ts`, `bun.ts`, `node.ts`, `workerd.ts`); a user can pass their own `connect` function
 * instead.
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

/**
 * TLS settings. Certificates and keys are PEM text. The broker's certificate is verified
 * against `ca` (or the runtime's trust store when `ca` is absent) unless
 * `rejectUnauthorized` is false.
 */
export interface TlsOptions {
  /** Trusted CA certificate(s), PEM. */
  ca?: string | string[];
  /** Client certificate chain for mutual TLS, PEM. */
  cert?: string;
  /** Client private key for mutual TLS, PEM (unencrypted PKCS#8 or PKCS#1). */
  key?: string;
  /** Name to verify the certificate against and to send as SNI (default: the host). */
  serverName?: string;
  /** Verify the broker's certificate (default true). */
  rejectUnauthorized?: boolean;
}

/** Where and how to connect. */
export interface SocketOptions {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
  /** Enable TCP keep-alive probes (default true). */
  keepAlive?: boolean;
  /** Connect with TLS. */
  tls?: TlsOptions;
}

/** Opens a socket; the per-runtime adapters and user-supplied transports have this shape. */
export type Connect = (options: SocketOptions) => Promise<Socket>;

/** Picks the adapter for the runtime this code runs on, loading it on first use. */
export async function detectConnect(): Promise<Connect> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown; navigator?: { userAgent?: string } };
  if (g.Deno !== undefined) return (await import("./deno.ts")).connectDeno;
  if (g.Bun !== undefined) return (await import("./bun.ts")).connectBun;
  // Cloudflare Workers (workerd) name themselves so; with nodejs_compat they also look like Node.
  if (g.navigator?.userAgent === "Cloudflare-Workers") {
    return (await import("./workerd.ts")).connectWorkerd;
  }
  return (await import("./node.ts")).connectNode;
}
