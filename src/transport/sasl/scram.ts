/**
 * SASL SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), as Kafka speaks them (KIP-84),
 * computed with Web Crypto only.
 *
 * The client sends `n,,n=<user>,r=<nonce>`; the broker answers with its nonce, the salt and
 * the iteration count; the client proves it knows the password without sending it; the broker
 * proves it knows the stored keys with a server signature, which the client checks.
 *
 * No channel binding (`n,,`): Kafka does not support the `-PLUS` variants. Usernames and
 * passwords are used as UTF-8 as they are, without SASLprep normalisation: Kafka's broker
 * and its `kafka-configs --add-scram` tool do not normalise either, so normalising here would
 * derive different keys for a non-ASCII password than the ones the broker stored.
 *
 * @module
 */

import type { Fail, SaslExchange } from "./_exchange.ts";
import { failFor } from "./_exchange.ts";

/** The SCRAM mechanisms Kafka supports. */
export type ScramMechanism = "SCRAM-SHA-256" | "SCRAM-SHA-512";

/**
 * Fewest iterations accepted from the broker: RFC 7677's minimum, and Kafka's own minimum
 * for SCRAM credentials. Fewer would make a stolen exchange cheap to brute-force.
 */
export const SCRAM_MIN_ITERATIONS = 4096;
/**
 * Most iterations accepted from the broker: several times Kafka's own maximum (16384), so a
 * hostile server cannot make the client compute PBKDF2 for minutes.
 */
export const SCRAM_MAX_ITERATIONS = 100_000;

const HASH = {
  "SCRAM-SHA-256": { name: "SHA-256", bits: 256 },
  "SCRAM-SHA-512": { name: "SHA-512", bits: 512 },
} as const;

/** base64 of the GS2 header `n,,` (no channel binding, no authorization id). */
const CHANNEL_BINDING = "biws";
const GS2_HEADER = "n,,";
const NONCE_BYTES = 24;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Escapes a username for SCRAM's `saslname`: `=` as `=3D`, `,` as `=2C` (RFC 5802 5.1). */
export function scramSaslName(username: string): string {
  return username.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/** A fresh client nonce: random bytes from `crypto.getRandomValues`, base64. */
export function scramNonce(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
}

/** Options of {@linkcode scramExchange}. */
export interface ScramExchangeOptions {
  /** The client nonce; a fresh random one by default. Fixed only in tests. */
  nonce?: string;
  /** Builds the errors for failures the client detects. */
  fail?: Fail;
}

/**
 * The SCRAM exchange for a user: client-first, client-final with the proof, then the check
 * of the broker's signature in server-final.
 */
export function scramExchange(
  mechanism: ScramMechanism,
  username: string,
  password: string,
  options: ScramExchangeOptions = {},
): SaslExchange {
  const hash = HASH[mechanism];
  const fail = options.fail ?? failFor(mechanism);
  const nonce = options.nonce ?? scramNonce();
  const clientFirstBare = `n=${scramSaslName(username)},r=${nonce}`;
  let step = 0;
  let expectedServerSignature: Uint8Array | undefined;

  const clientFinal = async (challenge: Uint8Array): Promise<Uint8Array<ArrayBuffer>> => {
    const serverFirst = text(challenge, fail, "server-first message");
    const attrs = parseAttributes(serverFirst, fail, "server-first message");
    if (attrs[0]?.[0] === "e") throw fail(`server error "${attrs[0][1]}"`);
    if (attrs[0]?.[0] === "m") throw fail("server requires an unsupported SCRAM extension");
    const [r, s, i] = attrs;
    if (r?.[0] !== "r" || s?.[0] !== "s" || i?.[0] !== "i") {
      throw fail("malformed server-first message: expected r=, s= and i= attributes");
    }
    const serverNonce = r[1];
    if (!serverNonce.startsWith(nonce) || serverNonce.length === nonce.length) {
      throw fail("server nonce does not extend the client nonce");
    }
    const salt = fromBase64(s[1]);
    if (salt === undefined || salt.length === 0) {
      throw fail("malformed server-first message: the salt is not base64");
    }
    if (!/^[1-9][0-9]{0,9}$/.test(i[1])) {
      throw fail("malformed server-first message: the iteration count is not a number");
    }
    const iterations = Number(i[1]);
    if (iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
      throw fail(
        `server asks for ${iterations} iterations, outside the accepted ` +
          `${SCRAM_MIN_ITERATIONS}..${SCRAM_MAX_ITERATIONS}`,
      );
    }

    const withoutProof = `c=${CHANNEL_BINDING},r=${serverNonce}`;
    const authMessage = encoder.encode(`${clientFirstBare},${serverFirst},${withoutProof}`);
    const saltedPassword = await scramSaltedPassword(mechanism, password, salt, iterations);
    const clientKey = await hmac(hash.name, saltedPassword, encoder.encode("Client Key"));
    const storedKey = new Uint8Array(await crypto.subtle.digest(hash.name, clientKey));
    const clientSignature = await hmac(hash.name, storedKey, authMessage);
    const proof = new Uint8Array(clientKey.length);
    for (let k = 0; k < proof.length; k++) proof[k] = clientKey[k] ^ clientSignature[k];
    const serverKey = await hmac(hash.name, saltedPassword, encoder.encode("Server Key"));
    expectedServerSignature = await hmac(hash.name, serverKey, authMessage);
    return encoder.encode(`${withoutProof},p=${toBase64(proof)}`);
  };

  const verify = (challenge: Uint8Array): null => {
    const attrs = parseAttributes(
      text(challenge, fail, "server-final message"),
      fail,
      "server-final message",
    );
    const [first] = attrs;
    if (first?.[0] === "e") throw fail(`server error "${first[1]}"`);
    if (first?.[0] !== "v") throw fail("malformed server-final message: expected v=");
    const signature = fromBase64(first[1]);
    if (!signature || !sameBytes(signature, expectedServerSignature!)) {
      throw fail("server signature mismatch");
    }
    return null;
  };

  return {
    start: () => Promise.resolve(encoder.encode(GS2_HEADER + clientFirstBare)),
    next: async (challenge) => {
      switch (step++) {
        case 0:
          return await clientFinal(challenge);
        case 1:
          return verify(challenge);
        default:
          throw fail("the broker continued the exchange after server-final");
      }
    },
  };
}

/** Splits a SCRAM message into `[name, value]` attributes. */
function parseAttributes(message: string, fail: Fail, what: string): [string, string][] {
  const attrs: [string, string][] = [];
  for (const part of message.split(",")) {
    if (!/^[A-Za-z]=/.test(part)) throw fail(`malformed ${what}`);
    attrs.push([part[0], part.slice(2)]);
  }
  return attrs;
}

function text(bytes: Uint8Array, fail: Fail, what: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw fail(`malformed ${what}: not UTF-8`);
  }
}

/**
 * SCRAM's `SaltedPassword := Hi(password, salt, i)` (RFC 5802 2.2): PBKDF2 with the
 * mechanism's HMAC, one hash long. The client needs it to authenticate, and the admin client
 * to store a credential (the broker keeps keys derived from it, never the password).
 */
export async function scramSaltedPassword(
  mechanism: ScramMechanism,
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const { name, bits } = HASH[mechanism];
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const derived = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: name, salt, iterations },
    key,
    bits,
  );
  return new Uint8Array(derived);
}

async function hmac(
  hash: string,
  key: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
}

/** Compares without an early exit, so timing does not reveal how much matched. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let k = 0; k < a.length; k++) diff |= a[k] ^ b[k];
  return diff === 0;
}

/** Standard base64 with padding. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (padding required), or `undefined` when `text` is not that. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let k = 0; k < binary.length; k++) bytes[k] = binary.charCodeAt(k);
  return bytes;
}
