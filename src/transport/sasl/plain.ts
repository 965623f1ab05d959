/**
 * SASL PLAIN (RFC 4616): one message, `authzid NUL authcid NUL passwd` in UTF-8, with an
 * empty authorization id, so the broker authorizes as the user who authenticates. The
 * password crosses the wire as it is: use PLAIN only over TLS (SASL_SSL) outside tests.
 *
 * @module
 */

import type { SaslExchange } from "./_exchange.ts";

/**
 * The PLAIN message for a user: `\0username\0password` in UTF-8. The caller has checked that
 * neither part is empty or holds a NUL.
 */
export function plainMessage(username: string, password: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`\0${username}\0${password}`);
}

/** The PLAIN exchange: the message, then nothing but the broker's verdict. */
export function plainExchange(username: string, password: string): SaslExchange {
  return {
    start: () => Promise.resolve(plainMessage(username, password)),
    // The broker answers a good PLAIN message with empty bytes; nothing more to send.
    next: () => Promise.resolve(null),
  };
}
