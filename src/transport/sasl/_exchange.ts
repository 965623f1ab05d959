// The shape every SASL mechanism implements, shared by the mechanism modules and mod.ts.

import { AuthenticationError } from "../../errors.ts";

/**
 * One SASL mechanism's side of an authentication: the first message, then one answer per
 * message from the broker until the mechanism is done. Each message travels in a
 * SaslAuthenticate request (KIP-152).
 */
export interface SaslExchange {
  /** The client's first message. */
  start(): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * Handles the broker's bytes from a successful SaslAuthenticate response: the next message
   * to send, or `null` when the exchange is complete. Throws `AuthenticationError` when the
   * broker's bytes are not acceptable (a SCRAM signature mismatch, an `e=` error).
   */
  next(challenge: Uint8Array): Promise<Uint8Array<ArrayBuffer> | null>;
  /**
   * Detail to add to the error when the broker fails the exchange, such as the status of an
   * OAUTHBEARER error challenge.
   */
  failureDetail?(): string | undefined;
}

/** Builds the `AuthenticationError` for a failure the client detected, from a reason. */
export type Fail = (reason: string, options?: ErrorOptions) => AuthenticationError;

/** A {@linkcode Fail} that names the mechanism and, when known, the broker's address. */
export function failFor(mechanism: string, address?: string): Fail {
  const where = address ? ` to ${address}` : "";
  return (reason, options) =>
    new AuthenticationError(
      `${mechanism} authentication${where} failed: ${reason}`,
      mechanism,
      options,
    );
}
