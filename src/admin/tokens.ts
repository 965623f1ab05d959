/**
 * Delegation tokens (KIP-48): shared secrets a client authenticates with over SCRAM instead
 * of its own credentials, created, renewed, expired and described by a client that did
 * authenticate (a token cannot be made over a plaintext or token-authenticated connection).
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { errorForCode } from "../protocol/errors.ts";
import {
  CreateDelegationToken,
  type CreateDelegationTokenResponse,
} from "../protocol/generated/create_delegation_token.ts";
import { DescribeDelegationToken } from "../protocol/generated/describe_delegation_token.ts";
import { ExpireDelegationToken } from "../protocol/generated/expire_delegation_token.ts";
import { RenewDelegationToken } from "../protocol/generated/renew_delegation_token.ts";
import type { Call } from "./_call.ts";
import { principalOf, principalString } from "./_principal.ts";
import { intIn, listOf } from "../_validate.ts";

/** Options of `createDelegationToken`. */
export interface CreateDelegationTokenOptions {
  /** Principals (`User:bob`) that may renew the token besides its owner. */
  renewers?: readonly string[];
  /**
   * The token's longest life in ms, capped by the broker's `delegation.token.max.lifetime.ms`
   * (default: that).
   */
  maxLifetime?: number;
  /**
   * Whose token it is (default: the caller). Creating a token for another user needs the
   * CREATE_TOKENS operation on that user (KIP-373; CreateDelegationToken v3+, Kafka 3.3).
   */
  owner?: string;
}

/** A delegation token, as the broker created or describes it. */
export interface DelegationToken {
  /** The token's id: the SCRAM username of a client authenticating with it. */
  tokenId: string;
  /** The token's secret: its base64 form is the SCRAM password. */
  hmac: Uint8Array;
  /** The principal (`User:alice`) the token authenticates as. */
  owner: string;
  /** The principal that created it (the owner unless made for another user). */
  requester: string;
  /** Principals that may renew it besides the owner (filled in by describe). */
  renewers: string[];
  /** When it was created. */
  issueTime: Date;
  /** When it expires unless renewed. */
  expiryTime: Date;
  /** The latest it can be renewed to. */
  maxTime: Date;
}

const MAX_MS = Number.MAX_SAFE_INTEGER;
const dateOf = (ms: bigint) => new Date(Number(ms));

function hmacOf(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length === 0) {
    throw new TypeError("hmac must be a non-empty Uint8Array (the token's hmac)");
  }
  return value;
}

function tokenOf(res: CreateDelegationTokenResponse): DelegationToken {
  const owner = principalString(res.principalType, res.principalName);
  return {
    tokenId: res.tokenId,
    hmac: res.hmac,
    owner,
    // Before v3 the owner is always the requester, and the answer has no requester fields.
    requester: res.tokenRequesterPrincipalName
      ? principalString(res.tokenRequesterPrincipalType, res.tokenRequesterPrincipalName)
      : owner,
    renewers: [],
    issueTime: dateOf(res.issueTimestampMs),
    expiryTime: dateOf(res.expiryTimestampMs),
    maxTime: dateOf(res.maxTimestampMs),
  };
}

/** CreateDelegationToken to any broker (over an authenticated connection). */
export async function createDelegationToken(
  cluster: Cluster,
  options: CreateDelegationTokenOptions,
  call: Call,
): Promise<DelegationToken> {
  const renewers = listOf("renewers", options.renewers ?? []).map((r, i) => {
    const { type, name } = principalOf(`renewers[${i}]`, r);
    return { principalType: type, principalName: name };
  });
  const maxLifetime = options.maxLifetime === undefined
    ? -1
    : intIn("maxLifetime", options.maxLifetime, 1, MAX_MS);
  const owner = options.owner === undefined ? undefined : principalOf("owner", options.owner);
  const res = await cluster.request(CreateDelegationToken, {
    ownerPrincipalType: owner?.type ?? null,
    ownerPrincipalName: owner?.name ?? null,
    renewers,
    maxLifetimeMs: BigInt(maxLifetime),
  }, { ...call.options, minVersion: owner ? { version: 3, for: "owner" } : undefined });
  const err = errorForCode(res.errorCode, { api: "CreateDelegationToken" });
  if (err) throw err;
  return {
    ...tokenOf(res),
    renewers: renewers.map((r) => `${r.principalType}:${r.principalName}`),
  };
}

/**
 * RenewDelegationToken to any broker: moves the token's expiry to `period` ms from now (-1:
 * the broker's `delegation.token.expiry.time.ms`), never past its max time; resolves with
 * the new expiry time.
 */
export async function renewDelegationToken(
  cluster: Cluster,
  hmac: Uint8Array,
  period: number,
  call: Call,
): Promise<Date> {
  const res = await cluster.request(RenewDelegationToken, {
    hmac: hmacOf(hmac),
    renewPeriodMs: BigInt(intIn("period", period, -1, MAX_MS)),
  }, call.options);
  const err = errorForCode(res.errorCode, { api: "RenewDelegationToken" });
  if (err) throw err;
  return dateOf(res.expiryTimestampMs);
}

/**
 * ExpireDelegationToken to any broker: the token expires `period` ms from now (at once, and
 * is deleted, for a negative period); resolves with the new expiry time.
 */
export async function expireDelegationToken(
  cluster: Cluster,
  hmac: Uint8Array,
  period: number,
  call: Call,
): Promise<Date> {
  const res = await cluster.request(ExpireDelegationToken, {
    hmac: hmacOf(hmac),
    expiryTimePeriodMs: BigInt(intIn("period", period, -1, MAX_MS)),
  }, call.options);
  const err = errorForCode(res.errorCode, { api: "ExpireDelegationToken" });
  if (err) throw err;
  return dateOf(res.expiryTimestampMs);
}

/**
 * DescribeDelegationToken to any broker: the tokens of `owners` (default: every token the
 * caller may describe).
 */
export async function describeDelegationTokens(
  cluster: Cluster,
  owners: readonly string[] | undefined,
  call: Call,
): Promise<DelegationToken[]> {
  const wanted = owners === undefined ? null : listOf("owners", owners).map((o, i) => {
    const { type, name } = principalOf(`owners[${i}]`, o);
    return { principalType: type, principalName: name };
  });
  const res = await cluster.request(DescribeDelegationToken, { owners: wanted }, {
    ...call.options,
  });
  const err = errorForCode(res.errorCode, { api: "DescribeDelegationToken" });
  if (err) throw err;
  return res.tokens.map((t) => {
    const owner = principalString(t.principalType, t.principalName);
    return {
      tokenId: t.tokenId,
      hmac: t.hmac,
      owner,
      requester: t.tokenRequesterPrincipalName
        ? principalString(t.tokenRequesterPrincipalType, t.tokenRequesterPrincipalName)
        : owner,
      renewers: t.renewers.map((r) => principalString(r.principalType, r.principalName)),
      issueTime: dateOf(t.issueTimestamp),
      expiryTime: dateOf(t.expiryTimestamp),
      maxTime: dateOf(t.maxTimestamp),
    };
  });
}
