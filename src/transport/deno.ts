// The Deno socket adapter: Deno.connect, upgraded with Deno.startTls, or Deno.connectTls for
// mutual TLS (only it takes a client certificate).

import type { Socket, SocketOptions, TlsOptions } from "./socket.ts";

const CHUNK = 64 * 1024;

/**
 * Opens a TCP or TLS connection. Deno cannot skip certificate verification per connection,
 * so `tls.rejectUnauthorized: false` is a `TypeError` here (the CLI flag
 * `--unsafely-ignore-certificate-errors` turns verification off for the whole process). With a
 * client certificate the connection comes from `Deno.connectTls`, which cannot verify a name
 * other than the host nor set TCP no-delay and keep-alive.
 */
export async function connectDeno(options: SocketOptions): Promise<Socket> {
  const tls = options.tls;
  const conn = tls?.cert !== undefined || tls?.key !== undefined
    ? await connectMutualTls(options, tls!)
    : await connectTcp(options, tls);
  if (tls) {
    try {
      await (conn as Deno.TlsConn).handshake();
    } catch (e) {
      conn.close();
      throw new Error(`TLS handshake failed: ${e instanceof Error ? e.message : e}`, { cause: e });
    }
  }
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

async function connectTcp(options: SocketOptions, tls: TlsOptions | undefined): Promise<Deno.Conn> {
  checkVerification(tls);
  const conn = await Deno.connect({ hostname: options.host, port: options.port });
  conn.setNoDelay(true);
  conn.setKeepAlive(options.keepAlive ?? true);
  if (!tls) return conn;
  return Deno.startTls(conn, { hostname: tls.serverName ?? options.host, caCerts: caList(tls) });
}

function connectMutualTls(options: SocketOptions, tls: TlsOptions): Promise<Deno.TlsConn> {
  checkVerification(tls);
  if (tls.cert === undefined || tls.key === undefined) {
    throw new TypeError("tls.cert and tls.key must be set together");
  }
  if (tls.serverName !== undefined && tls.serverName !== options.host) {
    throw new TypeError(
      "tls.serverName must equal the host on Deno when tls.cert and tls.key are set " +
        "(Deno.connectTls verifies the host name it connects to)",
    );
  }
  return Deno.connectTls({
    hostname: options.host,
    port: options.port,
    caCerts: caList(tls),
    cert: tls.cert,
    key: tls.key,
  });
}

function checkVerification(tls: TlsOptions | undefined): void {
  if (tls?.rejectUnauthorized === false) {
    throw new TypeError(
      "tls.rejectUnauthorized: false is not supported on Deno, which cannot skip certificate " +
        "verification per connection: trust the broker's CA with tls.ca, or run Deno with " +
        "--unsafely-ignore-certificate-errors",
    );
  }
}

function caList(tls: TlsOptions): string[] | undefined {
  return tls.ca === undefined ? undefined : typeof tls.ca === "string" ? [tls.ca] : tls.ca;
}
