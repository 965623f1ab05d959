/**
 * The Cloudflare Workers socket adapter: `connect()` from `cloudflare:sockets`, the TCP API
 * of workerd (Cloudflare's runtime, which `wrangler dev` and miniflare run locally too).
 *
 * kafkit picks it by itself inside a Worker; pass {@linkcode connectWorkerd} as the
 * `connect` option to choose it explicitly.
 *
 * What the socket API cannot do, and so what this adapter refuses with a `TypeError`
 * before connecting: a CA of the connection's own (`tls.ca`), a client certificate
 * (`tls.cert`, `tls.key`), a name to verify other than the host (`tls.serverName`), and
 * skipping verification (`tls.rejectUnauthorized: false`). A Worker trusts the runtime's CA
 * store: on Cloudflare the public CAs; in a self-hosted workerd, the network service's
 * `tlsOptions` (`trustedCertificates`, and `keypair` for a client certificate on every TLS
 * connection). TCP keep-alive and no-delay are the runtime's business and not settable.
 *
 * @example Choose the adapter explicitly
 * ```ts ignore
 * import { connectWorkerd, Writer } from "@kafkit/kafkit";
 *
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     await using writer = new Writer({
 *       brokers: ["kafka.example.com:9093"],
 *       topic: "events",
 *       tls: {},
 *       connect: connectWorkerd,
 *     });
 *     await writer.writeMessages([{ value: await request.text() }]);
 *     return new Response("ok");
 *   },
 * };
 * ```
 *
 * @module
 */

import type { Socket, SocketOptions, TlsOptions } from "./socket.ts";

// The slice of cloudflare:sockets this adapter uses (the Workers types are not a dependency).
interface WorkerdSocket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Settles once connected (and, with `secureTransport: "on"`, once TLS is up). */
  readonly opened: Promise<unknown>;
  close(): Promise<void>;
}
type WorkerdConnect = (
  address: { hostname: string; port: number },
  options: { secureTransport: "off" | "on"; allowHalfOpen: boolean },
) => WorkerdSocket;

// Built from parts so that no bundler tries to resolve it (webpack, for one, fails on an
// unknown scheme): a bundle for Node must not need the module, and workerd resolves it at run
// time. The comments keep webpack and Vite from rewriting or warning about the import.
const SOCKETS_MODULE = ["cloudflare", "sockets"].join(":");

let sockets: Promise<WorkerdConnect> | undefined;

function loadConnect(): Promise<WorkerdConnect> {
  sockets ??= import(/* webpackIgnore: true */ /* @vite-ignore */ SOCKETS_MODULE).then(
    (m: { connect: WorkerdConnect }) => m.connect,
    (e) => {
      sockets = undefined;
      throw new Error(
        "cloudflare:sockets is not available: connectWorkerd only works inside a Cloudflare " +
          "Worker (workerd)",
        { cause: e },
      );
    },
  );
  return sockets;
}

/**
 * Opens a TCP connection, or a TLS one (`secureTransport: "on"`), with `connect()` from
 * `cloudflare:sockets`. The broker's certificate is verified against the runtime's trust
 * store; the TLS options the socket API cannot honour are a `TypeError`.
 */
export async function connectWorkerd(options: SocketOptions): Promise<Socket> {
  if (options.tls) checkTls(options.tls, options.host);
  const connect = await loadConnect();
  const address = `${options.host}:${options.port}`;
  const sock = connect({ hostname: options.host, port: options.port }, {
    secureTransport: options.tls ? "on" : "off",
    allowHalfOpen: false,
  });
  try {
    await sock.opened;
  } catch (e) {
    sock.close().catch(() => {});
    // workerd reports a refused connection and a rejected certificate alike; its log says which.
    const what = options.tls ? "TLS connection" : "connection";
    throw new Error(`${what} to ${address} failed: ${e instanceof Error ? e.message : e}`, {
      cause: e,
    });
  }
  const reader = sock.readable.getReader();
  const writer = sock.writable.getWriter();
  let closed = false;
  return {
    // Resolves once the stream took the chunk, so a slow broker slows the writer down.
    write: (data) => closed ? Promise.reject(new Error("socket is closed")) : writer.write(data),
    async read() {
      if (closed) return null;
      try {
        const { done, value } = await reader.read();
        return done ? null : value;
      } catch (e) {
        // A read pending when the socket closes rejects ("This socket has been closed").
        if (closed) return null;
        throw e;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      sock.close().catch(() => {});
    },
  };
}

function checkTls(tls: TlsOptions, host: string): void {
  const refuse = (option: string, why: string) => {
    throw new TypeError(
      `${option} is not supported on Cloudflare Workers: cloudflare:sockets ${why}`,
    );
  };
  if (tls.ca !== undefined) {
    refuse(
      "tls.ca",
      "verifies against the runtime's CA store (in a self-hosted workerd, add the CA to the " +
        "network service's tlsOptions.trustedCertificates)",
    );
  }
  if (tls.cert !== undefined || tls.key !== undefined) {
    refuse(
      "tls.cert/tls.key",
      "takes no client certificate (in a self-hosted workerd, the network service's " +
        "tlsOptions.keypair is presented on every TLS connection)",
    );
  }
  if (tls.serverName !== undefined && tls.serverName !== host) {
    refuse("tls.serverName", "verifies the certificate against the host it connects to");
  }
  if (tls.rejectUnauthorized === false) {
    refuse("tls.rejectUnauthorized: false", "always verifies the broker's certificate");
  }
}
