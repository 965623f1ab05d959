/**
 * SASL OAUTHBEARER (RFC 7628) as Kafka speaks it (KIP-255, extensions from KIP-342).
 *
 * The client sends one message with the bearer token and optional extensions:
 * `n,,\x01auth=Bearer <token>\x01<key>=<value>\x01...\x01\x01`. The broker answers with
 * empty bytes when it accepts the token. When it does not, it sends a JSON error challenge
 * (`{"status":"invalid_token"}`); the client must answer with a single `\x01`, and the
 * broker then fails the exchange.
 *
 * kafkit does not obtain tokens: the caller's provider returns one per connection, so it
 * can cache and refresh them.
 *
 * @module
 */

import type { Fail, SaslExchange } from "./_exchange.ts";
import { failFor } from "./_exchange.ts";

/**
 * A bearer token for OAUTHBEARER, as the caller's token provider returns it.
 *
 * @example
 * ```ts
 * import { Connection } from "@kafkit/kafkit/core";
 * declare function fetchJwt(): Promise<string>; // your identity provider
 * const conn = await Connection.connect({
 *   host: "127.0.0.1",
 *   port: 9093,
 *   sasl: {
 *     mechanism: "OAUTHBEARER",
 *     token: async () => ({ value: await fetchJwt(), extensions: { traceId: "abc" } }),
 *   },
 * });
 * conn.close();
 * ```
 */
export interface OAuthBearerToken {
  /** The token itself (for example a JWT), sent as `auth=Bearer <value>`. */
  value: string;
  /**
   * SASL extensions sent with the token (KIP-342): keys of ASCII letters other than `auth`,
   * values of printable ASCII, space, tab, CR or LF.
   */
  extensions?: Record<string, string>;
}

const SEP = "\x01";
// RFC 6750's b64token: the characters a bearer token may contain.
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// RFC 7628 3.1: key = 1*(ALPHA); value = *(VCHAR / SP / HTAB / CR / LF).
const KEY = /^[A-Za-z]+$/;
const VALUE = /^[\x21-\x7E \t\r\n]*$/;

/**
 * Checks a token from the provider, throwing `TypeError` naming the bad part. The messages
 * never contain the token itself.
 */
export function validateOAuthBearerToken(token: unknown): OAuthBearerToken {
  if (typeof token !== "object" || token === null) {
    throw new TypeError("sasl.token() must return an object { value, extensions? }");
  }
  const { value, extensions } = token as Partial<OAuthBearerToken>;
  if (typeof value !== "string" || value.length === 0) {
    throw new TypeError("sasl.token().value must be a non-empty string");
  }
  if (!TOKEN.test(value)) {
    throw new TypeError(
      "sasl.token().value must be an RFC 6750 bearer token (letters, digits, -._~+/ and " +
        "trailing =)",
    );
  }
  if (extensions !== undefined) {
    if (typeof extensions !== "object" || extensions === null) {
      throw new TypeError("sasl.token().extensions must be an object of strings");
    }
    for (const [k, v] of Object.entries(extensions)) {
      if (!KEY.test(k) || k === "auth") {
        throw new TypeError(
          `sasl.token().extensions key ${JSON.stringify(k)} is invalid: keys are ASCII ` +
            `letters and not "auth"`,
        );
      }
      if (typeof v !== "string" || !VALUE.test(v)) {
        throw new TypeError(
          `sasl.token().extensions.${k} must be a string of printable ASCII, space, tab, ` +
            `CR or LF`,
        );
      }
    }
  }
  return token as OAuthBearerToken;
}

/**
 * The client's initial response for a token: GS2 header without an authorization id, the
 * `auth` pair, the extensions in their insertion order, and the closing separators.
 */
export function oauthBearerMessage(token: OAuthBearerToken): Uint8Array<ArrayBuffer> {
  const { value, extensions = {} } = validateOAuthBearerToken(token);
  let message = `n,,${SEP}auth=Bearer ${value}${SEP}`;
  for (const [k, v] of Object.entries(extensions)) message += `${k}=${v}${SEP}`;
  return new TextEncoder().encode(message + SEP);
}

/** Options of {@linkcode oauthBearerExchange}. */
export interface OAuthBearerExchangeOptions {
  /** Builds the errors for failures the client detects. */
  fail?: Fail;
}

/**
 * The OAUTHBEARER exchange: asks the provider for a token, sends it, and answers an error
 * challenge with `\x01` so the broker can end the exchange with its error.
 */
export function oauthBearerExchange(
  provider: () => Promise<OAuthBearerToken> | OAuthBearerToken,
  options: OAuthBearerExchangeOptions = {},
): SaslExchange {
  const fail = options.fail ?? failFor("OAUTHBEARER");
  let status: string | undefined;
  let step = 0;
  return {
    start: async () => {
      let token: unknown;
      try {
        token = await provider();
      } catch (e) {
        throw fail("the token provider failed", { cause: e });
      }
      return oauthBearerMessage(token as OAuthBearerToken);
    },
    next: (challenge) => {
      if (step++ > 0) return Promise.reject(fail("the broker continued the exchange"));
      // Empty bytes: the broker accepted the token.
      if (challenge.length === 0) return Promise.resolve(null);
      status = errorStatus(challenge);
      return Promise.resolve(new TextEncoder().encode(SEP));
    },
    failureDetail: () => status === undefined ? undefined : `token status "${status}"`,
  };
}

/** The `status` of an RFC 7628 error challenge, or a placeholder when it is not JSON. */
function errorStatus(challenge: Uint8Array): string {
  try {
    const json = JSON.parse(new TextDecoder().decode(challenge)) as { status?: unknown };
    return typeof json.status === "string" ? json.status : "unknown";
  } catch {
    return "unknown";
  }
}
