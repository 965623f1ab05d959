/**
 * SASL authentication of a connection (KIP-43, KIP-152): a SaslHandshake v1 request picks
 * the mechanism, then the mechanism's messages travel in SaslAuthenticate requests until the
 * broker accepts or rejects the client. Mechanisms: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and
 * OAUTHBEARER.
 *
 * Errors never contain the password, SCRAM proofs or keys, or the OAuth token: bad options
 * are `TypeError`s naming the field, a rejection by the broker or a broken exchange is an
 * {@linkcode AuthenticationError} naming the mechanism with the broker's own message.
 *
 * @module
 */

import { AuthenticationError, UnsupportedVersionError } from "../../errors.ts";
import type { Api } from "../../protocol/api.ts";
import { ErrorCodes, KafkaError } from "../../protocol/errors.ts";
import { SaslAuthenticate } from "../../protocol/generated/sasl_authenticate.ts";
import { SaslHandshake } from "../../protocol/generated/sasl_handshake.ts";
import { type Fail, failFor, type SaslExchange } from "./_exchange.ts";
import { oauthBearerExchange, type OAuthBearerToken } from "./oauthbearer.ts";
import { plainExchange } from "./plain.ts";
import { scramExchange } from "./scram.ts";

export { AuthenticationError };
export type { OAuthBearerToken };

/** The SASL mechanisms kafkit implements. */
export type SaslMechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" | "OAUTHBEARER";

/** The mechanisms, in the order error messages list them. */
export const SASL_MECHANISMS: readonly SaslMechanism[] = Object.freeze([
  "PLAIN",
  "SCRAM-SHA-256",
  "SCRAM-SHA-512",
  "OAUTHBEARER",
]);

/** SASL/PLAIN with a username and password (send it over TLS only: the password is clear). */
export interface SaslPlainOptions {
  /** The mechanism. */
  mechanism: "PLAIN";
  /** The user to authenticate as. */
  username: string;
  /** The user's password. */
  password: string;
}

/** SASL/SCRAM with a username and password; the password never crosses the wire. */
export interface SaslScramOptions {
  /** The mechanism: the hash the broker stored the credentials with. */
  mechanism: "SCRAM-SHA-256" | "SCRAM-SHA-512";
  /** The user to authenticate as. */
  username: string;
  /** The user's password (used as UTF-8, without SASLprep normalisation, as Kafka does). */
  password: string;
}

/** SASL/OAUTHBEARER with a token from the caller's provider. */
export interface SaslOAuthBearerOptions {
  /** The mechanism. */
  mechanism: "OAUTHBEARER";
  /**
   * Returns the token to send. Called once per connection, so it can return a fresh token
   * when the previous one is about to expire.
   */
  token: () => Promise<OAuthBearerToken> | OAuthBearerToken;
}

/**
 * How a connection authenticates: the mechanism and its credentials.
 *
 * @example
 * ```ts
 * import { Connection } from "@kafkit/kafkit/core";
 * const conn = await Connection.connect({
 *   host: "127.0.0.1",
 *   port: 9093,
 *   sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: "alice-secret" },
 * });
 * console.log(conn.sessionLifetimeMs);
 * conn.close();
 * ```
 */
export type SaslOptions = SaslPlainOptions | SaslScramOptions | SaslOAuthBearerOptions;

/** The outcome of a successful authentication. */
export interface SaslSession {
  /** The mechanism used. */
  mechanism: SaslMechanism;
  /**
   * How long the broker keeps the session, in ms (SaslAuthenticate v1+, KIP-368): the client
   * must re-authenticate before it ends. 0 when the broker sets no limit.
   */
  sessionLifetimeMs: number;
}

/** Per-request limits for the authentication requests. */
export interface SaslCallOptions {
  /** Time allowed for each request, in ms. */
  timeout?: number;
  /** Cancels the authentication. */
  signal?: AbortSignal;
}

/** What {@linkcode authenticate} needs from a connection (a `Connection` has it). */
export interface SaslTransport {
  /** `host:port` of the broker, for messages. */
  readonly address: string;
  /** The version to use for an API, as the connection negotiated it. */
  // deno-lint-ignore no-explicit-any
  negotiate(api: Api<any, any>, cap?: number): number;
  /** Sends a request and resolves with the decoded response. */
  request<Req, Res>(
    api: Api<Req, Res>,
    body: Req,
    options?: SaslCallOptions & { version?: number },
  ): Promise<Res>;
}

/**
 * Checks SASL options before anything is sent, throwing `TypeError` naming the bad field.
 * The messages never contain the password.
 */
export function validateSaslOptions(options: unknown): SaslOptions {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("sasl must be an object with a mechanism");
  }
  const o = options as Record<string, unknown>;
  const mechanism = o.mechanism;
  if (!SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
    const got = typeof mechanism === "string"
      ? JSON.stringify(mechanism.slice(0, 40))
      : typeof mechanism;
    throw new TypeError(`sasl.mechanism must be one of ${SASL_MECHANISMS.join(", ")}; got ${got}`);
  }
  if (mechanism === "OAUTHBEARER") {
    if (typeof o.token !== "function") {
      throw new TypeError("sasl.token must be a function returning the OAuth bearer token");
    }
    return options as SaslOAuthBearerOptions;
  }
  for (const field of ["username", "password"] as const) {
    const value = o[field];
    if (typeof value !== "string" || value.length === 0) {
      throw new TypeError(`sasl.${field} must be a non-empty string for ${mechanism}`);
    }
    // PLAIN separates its fields with NUL; SCRAM's saslname and password exclude it too.
    if (value.includes("\0")) {
      throw new TypeError(`sasl.${field} must not contain a NUL character`);
    }
  }
  return options as SaslPlainOptions | SaslScramOptions;
}

/**
 * Authenticates a freshly connected transport (after its ApiVersions handshake): SaslHandshake
 * v1 with the mechanism, then the mechanism's exchange in SaslAuthenticate requests.
 *
 * Throws `TypeError` for bad options, {@linkcode AuthenticationError} when the broker does
 * not enable the mechanism, rejects the credentials or breaks the exchange, and
 * `UnsupportedVersionError` for a broker that only speaks SaslHandshake v0 (before Kafka 1.0).
 *
 * @example
 * ```ts
 * import { Connection } from "@kafkit/kafkit/core";
 * // Connection.connect calls authenticate itself when given `sasl`.
 * const conn = await Connection.connect({
 *   host: "127.0.0.1",
 *   port: 9093,
 *   sasl: { mechanism: "PLAIN", username: "alice", password: "alice-secret" },
 * });
 * conn.close();
 * ```
 */
export async function authenticate(
  conn: SaslTransport,
  options: SaslOptions,
  call: SaslCallOptions = {},
): Promise<SaslSession> {
  const sasl = validateSaslOptions(options);
  const mechanism = sasl.mechanism;
  const fail = failFor(mechanism, conn.address);

  const handshakeVersion = conn.negotiate(SaslHandshake);
  if (handshakeVersion < 1) {
    throw new UnsupportedVersionError(
      `broker ${conn.address} only speaks SaslHandshake v0 (raw SASL tokens), which kafkit ` +
        `does not implement`,
    );
  }
  const handshake = await conn.request(SaslHandshake, { mechanism }, {
    ...call,
    version: handshakeVersion,
  });
  if (handshake.errorCode === ErrorCodes.UNSUPPORTED_SASL_MECHANISM) {
    const enabled = handshake.mechanisms.length > 0 ? handshake.mechanisms.join(", ") : "none";
    throw fail(
      `the broker does not enable ${mechanism}; its enabled mechanisms: ${enabled}`,
      { cause: new KafkaError(handshake.errorCode, { api: "SaslHandshake" }) },
    );
  }
  if (handshake.errorCode !== 0) {
    const cause = new KafkaError(handshake.errorCode, { api: "SaslHandshake" });
    // A listener without SASL (PLAINTEXT, SSL) answers ILLEGAL_SASL_STATE.
    const hint = handshake.errorCode === ErrorCodes.ILLEGAL_SASL_STATE
      ? " (is this a SASL_PLAINTEXT or SASL_SSL listener?)"
      : "";
    throw fail(`SaslHandshake failed with ${cause.errorName}${hint}`, { cause });
  }

  const exchange = exchangeFor(sasl, fail);
  const version = conn.negotiate(SaslAuthenticate);
  let message = await exchange.start();
  let lifetime = 0n;
  while (true) {
    const res = await conn.request(SaslAuthenticate, { authBytes: message }, { ...call, version });
    if (res.errorCode !== 0) {
      const cause = new KafkaError(res.errorCode, {
        api: "SaslAuthenticate",
        brokerMessage: res.errorMessage,
      });
      const detail = exchange.failureDetail?.();
      const said = res.errorMessage ? `: ${res.errorMessage}` : "";
      throw fail(`${cause.errorName}${detail ? ` (${detail})` : ""}${said}`, { cause });
    }
    lifetime = res.sessionLifetimeMs;
    const reply = await exchange.next(res.authBytes);
    if (reply === null) break;
    message = reply;
  }
  return { mechanism, sessionLifetimeMs: Number(lifetime) };
}

function exchangeFor(sasl: SaslOptions, fail: Fail): SaslExchange {
  switch (sasl.mechanism) {
    case "PLAIN":
      return plainExchange(sasl.username, sasl.password);
    case "SCRAM-SHA-256":
    case "SCRAM-SHA-512":
      return scramExchange(sasl.mechanism, sasl.username, sasl.password, { fail });
    case "OAUTHBEARER":
      return oauthBearerExchange(sasl.token, { fail });
  }
}
