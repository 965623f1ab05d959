// The Node.js socket adapter: node:net, or node:tls.

import type * as Net from "node:net";
import type * as Tls from "node:tls";
import type { Socket, SocketOptions, TlsOptions } from "./socket.ts";
import { ChunkQueue } from "./_chunk_queue.ts";
import { KafkitError } from "../errors.ts";

type NetSocket = Net.Socket;

const HIGH_WATER = 1024 * 1024;
/**
 * Idle time before keep-alive probes start, in ms: the system default (two hours on Linux)
 * would leave a connection to a vanished broker looking open for that long.
 */
const KEEP_ALIVE_IDLE = 60_000;

// node:net and node:tls are imported on first use, not statically: a bundle made for another
// runtime (a Cloudflare Worker without nodejs_compat) carries this module without having them.
// The imports sit in a try block, which tells bundlers (esbuild) to leave them to run time.
let netConnect: typeof Net.connect;
let isIP: typeof Net.isIP;
let tlsConnect: typeof Tls.connect;
let checkServerIdentity: typeof Tls.checkServerIdentity;
let loaded: Promise<void> | undefined;

async function load(): Promise<void> {
  try {
    ({ connect: netConnect, isIP } = await import("node:net"));
    ({ connect: tlsConnect, checkServerIdentity } = await import("node:tls"));
  } catch (e) {
    loaded = undefined;
    // Said plainly: a runtime without sockets (a Worker without nodejs_compat, a browser)
    // would otherwise report only `No such module "node:net"`.
    throw new KafkitError(
      `this runtime has no TCP socket API kafkit can use (node:net and node:tls cannot be ` +
        `loaded: ${e instanceof Error ? e.message : String(e)}); pass a \`connect\` function ` +
        `in the options, or on Cloudflare Workers enable nodejs_compat or use the workerd adapter`,
      false,
      { cause: e },
    );
  }
}

function loadNodeModules(): Promise<void> {
  loaded ??= load();
  return loaded;
}

/** Opens a TCP connection with `node:net`, or a TLS one with `node:tls`. */
export async function connectNode(options: SocketOptions): Promise<Socket> {
  await loadNodeModules();
  return new Promise((resolve, reject) => {
    const tls = options.tls;
    const sock = tls
      ? connectTls(options, tls)
      : netConnect({ host: options.host, port: options.port, noDelay: true });
    if (options.keepAlive ?? true) sock.setKeepAlive(true, KEEP_ALIVE_IDLE);
    const queue = new ChunkQueue(HIGH_WATER, () => sock.pause(), () => sock.resume());
    // Set once the TCP connection is up: a failure after it and before `secureConnect` is the
    // TLS handshake's.
    let connected = false;
    let failure: unknown;
    sock.on("data", (chunk: Uint8Array) => queue.push(chunk));
    sock.on("end", () => queue.end());
    sock.on("close", () => {
      queue.end();
      reject(new Error("connection closed before it was ready"));
    });
    sock.on("error", (e) => {
      failure ??= e;
      queue.end(e);
      reject(
        tls && connected ? new Error(`TLS handshake failed: ${e.message}`, { cause: e }) : e,
      );
    });
    sock.once("connect", () => connected = true);
    sock.once(tls ? "secureConnect" : "connect", () => {
      resolve({
        write(data) {
          if (sock.destroyed) return Promise.reject(failure ?? new Error("socket is closed"));
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
              fail(failure ?? new Error("socket closed before its buffer drained"));
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

/**
 * A `node:tls` socket. SNI is only sent for host names (RFC 6066 has none for IP addresses, and
 * Node warns about them); the certificate is checked against the server name either way.
 */
function connectTls(options: SocketOptions, tls: TlsOptions): NetSocket {
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new TypeError("tls.cert and tls.key must be set together");
  }
  const name = tls.serverName ?? options.host;
  const sock = tlsConnect({
    host: options.host,
    port: options.port,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    servername: isIP(name) === 0 ? name : undefined,
    checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
  });
  sock.setNoDelay(true);
  return sock;
}
