/**
 * One connection to one broker: size framing, correlation ids, pipelined requests matched
 * to their responses, the ApiVersions handshake and version negotiation, per-call timeouts
 * and abort signals.
 *
 * @module
 */

import { abortError, throwIfAborted } from "../_async/abortable.ts";
import { deadline } from "../_async/deadline.ts";
import { AbortError, ConnectionError, DecodeError, KafkitError, TimeoutError } from "../errors.ts";
import { type Api, requestHeaderVersion, responseHeaderVersion } from "../protocol/api.ts";
import { ApiVersions, type ApiVersionsResponse } from "../protocol/generated/api_versions.ts";
import { negotiateVersion, type VersionRange } from "../protocol/negotiate.ts";
import { writeRequestHeader } from "../protocol/generated/request_header.ts";
import { readResponseHeader } from "../protocol/generated/response_header.ts";
import { ByteReader } from "../wire/byte_reader.ts";
import { ByteWriter } from "../wire/byte_writer.ts";
import { Framer } from "./_framer.ts";
import { type Connect, detectConnect, type Socket, type TlsOptions } from "./socket.ts";
import {
  authenticate,
  type SaslOptions,
  type SaslSession,
  validateSaslOptions,
} from "./sasl/mod.ts";
import { CLIENT_SOFTWARE, DEFAULT_CLIENT_ID } from "../version.ts";
import { checkPort } from "../address.ts";

/** Options for {@linkcode Connection.connect}. */
export interface ConnectionOptions {
  /** Host name or IP address of the broker. */
  host: string;
  /** Port of the broker. */
  port: number;
  /** Client id sent with every request (default {@linkcode DEFAULT_CLIENT_ID}, `"kafkit"`). */
  clientId?: string;
  /** Time allowed for connecting and the handshake, in ms (default 10000). */
  connectTimeout?: number;
  /**
   * Default time allowed for each request, in ms (default 30000). A request without an
   * answer by then fails with `TimeoutError` and closes the connection (see
   * {@linkcode RequestOptions.timeout}).
   */
  requestTimeout?: number;
  /** Largest response accepted, in bytes (default 128 MiB). */
  maxResponseSize?: number;
  /** TCP keep-alive (default true). */
  keepAlive?: boolean;
  /** Connect with TLS (SSL and SASL_SSL listeners). */
  tls?: TlsOptions;
  /** Opens the socket; defaults to the adapter for the current runtime. */
  connect?: Connect;
  /** Cancels connecting. */
  signal?: AbortSignal;
  /** Authenticate with SASL right after the ApiVersions handshake (SASL_PLAINTEXT, SASL_SSL). */
  sasl?: SaslOptions;
  /**
   * Told of each request once it is answered or fails (the handshake's excepted): for the
   * cluster core's `stats()` and metrics.
   */
  onRequestDone?: (done: RequestDone) => void;
}

/** A request that ended, as {@linkcode ConnectionOptions.onRequestDone} is told of it. */
export interface RequestDone {
  /** The API's name (`Produce`, `Fetch`, ...). */
  api: string;
  /** `host:port` of the broker. */
  address: string;
  /** From sending to the answer or failure, in ms. */
  ms: number;
  /** Why it failed (no answer: timeout, closed connection, abort); undefined when answered. */
  error?: unknown;
}

/**
 * What opens connections with settings of its own: a `Dialer` is one. A client core given one
 * (its `dialer` option) opens every connection through it.
 */
export interface ConnectionDialer {
  /** The client id its connections send. */
  readonly clientId: string;
  /** Opens a connection to the broker at `address` (`host:port`); `signal` abandons it. */
  connection(
    address: string,
    options?: { signal?: AbortSignal; onRequestDone?: ConnectionOptions["onRequestDone"] },
  ): Promise<Connection>;
}

/** The names of the connection options every client config passes on (not host, port, signal). */
export const CONNECTION_OPTIONS = [
  "clientId",
  "connectTimeout",
  "requestTimeout",
  "maxResponseSize",
  "keepAlive",
  "tls",
  "connect",
  "sasl",
] as const satisfies readonly (keyof ConnectionOptions)[];

/** The time allowed for a request when neither the call nor the connection says, in ms. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000;

/** Per-request options. */
export interface RequestOptions {
  /** Use this version instead of the highest both sides support. */
  version?: number;
  /**
   * Time allowed for this request, in ms (default: the connection's `requestTimeout`). Past
   * it the request fails with `TimeoutError` and the connection is closed, failing its other
   * requests with a (retriable) `ConnectionError`: a broker that stopped answering may be
   * gone without a word (a half-open connection), and nothing more would come on it.
   */
  timeout?: number;
  /** Cancels waiting for the response. */
  signal?: AbortSignal;
}

interface Pending {
  // deno-lint-ignore no-explicit-any
  api: Api<any, any>;
  version: number;
  /** An answer that does not decode is expected (the handshake's probe): the stream is fine. */
  mayNotDecode: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  cleanup(): void;
}

const UNSUPPORTED_VERSION = 35;

/**
 * A connection to one Kafka broker.
 *
 * @example
 * ```ts
 * import { Connection } from "@kafkit/kafkit/core";
 * import { Metadata } from "@kafkit/kafkit/protocol";
 * const conn = await Connection.connect({ host: "127.0.0.1", port: 9092 });
 * const meta = await conn.request(Metadata, { topics: null });
 * console.log(meta.brokers.length);
 * conn.close();
 * ```
 */
export class Connection {
  /** `host:port` of the broker. */
  readonly address: string;
  readonly #socket: Socket;
  readonly #clientId: string;
  readonly #requestTimeout: number;
  readonly #framer: Framer;
  readonly #pending = new Map<number, Pending>();
  #versions = new Map<number, VersionRange>();
  /** The last frame size per API key, to size the next one's buffer. */
  readonly #frameSizes = new Map<number, number>();
  #nextId = 0;
  #writeChain: Promise<void> = Promise.resolve();
  #closed: ConnectionError | undefined;
  #sasl: SaslSession | undefined;
  #onClosed: (reason: ConnectionError) => void = () => {};
  readonly #onRequestDone: ConnectionOptions["onRequestDone"];
  /** Settles with the reason once the connection is closed. */
  readonly whenClosed: Promise<ConnectionError> = new Promise((resolve) => {
    this.#onClosed = resolve;
  });

  private constructor(address: string, socket: Socket, options: ConnectionOptions) {
    this.address = address;
    this.#socket = socket;
    this.#clientId = options.clientId ?? DEFAULT_CLIENT_ID;
    this.#requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
    this.#framer = new Framer(options.maxResponseSize ?? 128 * 1024 * 1024);
    this.#onRequestDone = options.onRequestDone;
    void this.#readLoop();
  }

  /** Connects to a broker and negotiates API versions with it. */
  static async connect(options: ConnectionOptions): Promise<Connection> {
    const sasl = options.sasl === undefined ? undefined : validateSaslOptions(options.sasl);
    const address = `${options.host}:${options.port}`;
    checkPort(options.port, `broker ${address}`);
    const timeout = options.connectTimeout ?? 10_000;
    // An aborted signal dials nothing: no socket is opened only to be closed again.
    throwIfAborted(options.signal);
    const connect = options.connect ?? await detectConnect();
    throwIfAborted(options.signal);
    const socket = await deadline(
      connect({
        host: options.host,
        port: options.port,
        keepAlive: options.keepAlive,
        tls: options.tls,
      }),
      timeout,
      {
        signal: options.signal,
        what: `connecting to ${address}`,
        address,
        dispose: (s) => s.close(),
      },
    ).catch((e) => {
      // Bad options are the caller's to fix, not a connection failure to retry.
      if (
        e instanceof TimeoutError || e instanceof TypeError || e instanceof RangeError ||
        e instanceof AbortError || options.signal?.aborted && e === abortError(options.signal) ||
        // Nothing a retry can fix (no socket API on this runtime): said as it is.
        e instanceof KafkitError && !e.retriable
      ) throw e;
      throw new ConnectionError(`cannot connect to ${address}: ${messageOf(e)}`, {
        cause: e,
        address,
      });
    });
    const conn = new Connection(address, socket, options);
    try {
      await conn.#handshake(timeout, options.signal);
      if (sasl) conn.#sasl = await authenticate(conn, sasl, { timeout, signal: options.signal });
    } catch (e) {
      conn.close();
      throw e;
    }
    return conn;
  }

  /** The version range the broker supports for an API key, if it supports it at all. */
  brokerVersions(apiKey: number): VersionRange | undefined {
    return this.#versions.get(apiKey);
  }

  /**
   * The version to use for an API: the highest that both kafkit and the broker support,
   * at most `cap`. Throws `UnsupportedVersionError` when there is none.
   */
  // deno-lint-ignore no-explicit-any
  negotiate(api: Api<any, any>, cap?: number): number {
    return negotiateVersion(api, this.#versions.get(api.key), cap, `broker ${this.address}`);
  }

  /** Sends a request and resolves with the decoded response. */
  request<Req, Res>(api: Api<Req, Res>, body: Req, options: RequestOptions = {}): Promise<Res> {
    if (this.#closed) return Promise.reject(this.#closed);
    let version: number;
    try {
      version = options.version ?? this.negotiate(api);
    } catch (e) {
      return Promise.reject(e);
    }
    const done = this.#onRequestDone;
    if (!done) return this.#send(api, body, version, options);
    const started = performance.now();
    const answer = this.#send(api, body, version, options);
    const ended = (error?: unknown) =>
      done({ api: api.name, address: this.address, ms: performance.now() - started, error });
    answer.then(() => ended(), ended);
    return answer;
  }

  /**
   * Sends a request the broker does not answer (Produce with acks 0), resolving once the
   * bytes were handed to the socket.
   */
  async sendWithoutResponse<Req, Res>(
    api: Api<Req, Res>,
    body: Req,
    options: Pick<RequestOptions, "version"> = {},
  ): Promise<void> {
    if (this.#closed) throw this.#closed;
    const version = options.version ?? this.negotiate(api);
    await this.#write(this.#encode(api, body, version).frame);
  }

  /** Encodes a whole request frame (size, header, body) into one buffer. */
  #encode<Req, Res>(
    api: Api<Req, Res>,
    body: Req,
    version: number,
  ): { id: number; frame: Uint8Array } {
    const id = this.#nextId;
    this.#nextId = (this.#nextId + 1) & 0x7fff_ffff;
    // Start at the size this API's last frame had: a Produce of a 64 KiB batch would
    // otherwise grow (and copy) its buffer ten times.
    const w = new ByteWriter(this.#frameSizes.get(api.key) ?? 128);
    const sizeAt = w.reserve(4);
    writeRequestHeader(w, {
      requestApiKey: api.key,
      requestApiVersion: version,
      correlationId: id,
      clientId: this.#clientId,
    }, requestHeaderVersion(api, version));
    api.writeRequest(w, body, version);
    w.patchInt32(sizeAt, w.length - 4);
    // Capped: one huge frame must not make every later small one allocate as much.
    this.#frameSizes.set(api.key, Math.min(w.length, 256 * 1024));
    return { id, frame: w.bytes() };
  }

  #send<Req, Res>(
    api: Api<Req, Res>,
    body: Req,
    version: number,
    options: RequestOptions,
    mayNotDecode = false,
  ): Promise<Res> {
    const { id, frame } = this.#encode(api, body, version);
    return new Promise<Res>((resolve, reject) => {
      const timeout = options.timeout ?? this.#requestTimeout;
      const signal = options.signal;
      const fail = (error: unknown) => {
        if (this.#pending.delete(id)) {
          cleanup();
          reject(error);
        }
      };
      const timer = setTimeout(() => {
        const error = new TimeoutError(
          `${api.name} to ${this.address} timed out after ${timeout} ms`,
          { address: this.address, timeoutMs: timeout },
        );
        fail(error);
        // Answers come in order: none for this one means none for those sent after it
        // either (the connection may be half-open), so they fail now, to be sent again on a
        // new connection.
        this.#shutdown(
          new ConnectionError(`connection to ${this.address} closed: ${error.message}`, {
            cause: error,
            address: this.address,
          }),
        );
      }, timeout);
      const onAbort = () => fail(abortError(signal!));
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      if (signal?.aborted) {
        clearTimeout(timer);
        return reject(abortError(signal));
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(id, {
        api,
        version,
        mayNotDecode,
        resolve: resolve as (v: unknown) => void,
        reject,
        cleanup,
      });
      this.#write(frame).catch(fail);
    });
  }

  /** Writes frames one after another, each after the previous one was accepted. */
  #write(frame: Uint8Array): Promise<void> {
    const next = this.#writeChain.then(() => {
      if (this.#closed) throw this.#closed;
      return this.#socket.write(frame);
    });
    this.#writeChain = next.catch(() => {});
    return next.catch((e) => {
      const error = e instanceof ConnectionError
        ? e
        : new ConnectionError(`write to ${this.address} failed: ${messageOf(e)}`, {
          cause: e,
          address: this.address,
        });
      this.#shutdown(error);
      throw error;
    });
  }

  async #readLoop(): Promise<void> {
    try {
      while (true) {
        const chunk = await this.#socket.read();
        if (chunk === null) break;
        this.#framer.push(chunk, (frame) => this.#dispatch(frame));
      }
      this.#shutdown(
        new ConnectionError(`connection to ${this.address} closed by the broker`, {
          address: this.address,
        }),
      );
    } catch (e) {
      this.#shutdown(
        e instanceof DecodeError || e instanceof ConnectionError
          ? e
          : new ConnectionError(`read from ${this.address} failed: ${messageOf(e)}`, {
            cause: e,
            address: this.address,
          }),
      );
    }
  }

  #dispatch(frame: Uint8Array): void {
    const r = new ByteReader(frame);
    const id = r.int32();
    // Retriable: the connection fails (see #readLoop), and a new one may get a good answer.
    r.check(`response header from ${this.address}`, { retriable: true });
    const pending = this.#pending.get(id);
    // A response to a request that timed out or was aborted: nobody waits for it.
    if (!pending) return;
    this.#pending.delete(id);
    pending.cleanup();
    try {
      const r = new ByteReader(frame);
      readResponseHeader(r, responseHeaderVersion(pending.api, pending.version));
      const body = pending.api.readResponse(r, pending.version);
      r.done(`${pending.api.name} v${pending.version} response from ${this.address}`, {
        retriable: !pending.mayNotDecode,
      });
      pending.resolve(body);
    } catch (e) {
      pending.reject(e);
      // An answer that does not decode: nothing else this stream brings can be trusted. The
      // connection closes; its requests, this one included, may be sent again on a new one.
      if (e instanceof DecodeError && !pending.mayNotDecode) {
        this.#shutdown(
          new ConnectionError(`connection to ${this.address} closed: ${e.message}`, {
            cause: e,
            address: this.address,
          }),
        );
      }
    }
  }

  async #handshake(timeout: number, signal: AbortSignal | undefined): Promise<void> {
    // Ask with the newest version; a broker that lacks it answers in v0 with its range.
    const ours = ApiVersions.maxVersion;
    const body = CLIENT_SOFTWARE;
    let res: ApiVersionsResponse;
    try {
      res = await this.#send(ApiVersions, body, ours, { timeout, signal }, true);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      res = await this.#send(ApiVersions, {}, 0, { timeout, signal });
    }
    if (res.errorCode === UNSUPPORTED_VERSION) {
      const theirs = res.apiKeys.find((k) => k.apiKey === ApiVersions.key)?.maxVersion ?? 0;
      res = await this.#send(ApiVersions, body, Math.min(ours, theirs), { timeout, signal });
    }
    if (res.errorCode !== 0) {
      throw new ConnectionError(
        `ApiVersions to ${this.address} failed with error ${res.errorCode}`,
        { address: this.address },
      );
    }
    this.#versions = new Map(
      res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]),
    );
  }

  /**
   * The SASL session lifetime the broker granted, in ms (KIP-368), counted from when
   * `connect` authenticated: the connection must re-authenticate before it ends or the broker
   * closes it. 0 when the broker sets no limit; `undefined` without SASL.
   */
  get sessionLifetimeMs(): number | undefined {
    return this.#sasl?.sessionLifetimeMs;
  }

  /** Whether the connection was closed (by either side). */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Whether no request waits for an answer. */
  get idle(): boolean {
    return this.#pending.size === 0;
  }

  /** Closes the connection; pending requests fail with `ConnectionError`. */
  close(): void {
    this.#shutdown(
      new ConnectionError(`connection to ${this.address} was closed`, { address: this.address }),
    );
  }

  #shutdown(error: ConnectionError | DecodeError): void {
    if (this.#closed) return;
    this.#closed = error instanceof ConnectionError
      ? error
      : new ConnectionError(`connection to ${this.address} failed: ${error.message}`, {
        cause: error,
        address: this.address,
      });
    this.#socket.close();
    for (const p of this.#pending.values()) {
      p.cleanup();
      p.reject(error);
    }
    this.#pending.clear();
    this.#onClosed(this.#closed);
  }

  /** Closes the connection (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return Promise.resolve();
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
