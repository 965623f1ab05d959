/**
 * SCRAM credentials of users (KIP-554): list them (DescribeUserScramCredentials), add or
 * replace them, and delete them (AlterUserScramCredentials).
 *
 * The password never leaves the client: it is salted and hashed here (SCRAM's `Hi`, PBKDF2
 * with the mechanism's hash) and only the salt, the iteration count and the salted password
 * are sent. The broker derives the stored and server keys from them.
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { KafkitError } from "../errors.ts";
import { errorForCode } from "../protocol/errors.ts";
import { AlterUserScramCredentials } from "../protocol/generated/alter_user_scram_credentials.ts";
import { DescribeUserScramCredentials } from "../protocol/generated/describe_user_scram_credentials.ts";
import {
  SCRAM_MIN_ITERATIONS,
  type ScramMechanism,
  scramSaltedPassword,
} from "../transport/sasl/scram.ts";
import type { Call } from "./_call.ts";
import type { ItemResult } from "./_results.ts";
import { intIn, listOf, nameOf, oneOf } from "../_validate.ts";

export type { ScramMechanism };

/** Indexed by Kafka's mechanism code (0 is unknown). */
const MECHANISMS = ["unknown", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
const VALID_MECHANISMS: readonly ScramMechanism[] = ["SCRAM-SHA-256", "SCRAM-SHA-512"];

/** Kafka's most iterations for a stored credential (its least is RFC 7677's 4096). */
const SCRAM_MAX_STORED_ITERATIONS = 16_384;
/** Salt length when the caller gives none: as long as a SHA-256 hash. */
const SALT_BYTES = 32;

/** One stored credential: its mechanism and iteration count (never the keys). */
export interface ScramCredentialInfo {
  /** The mechanism (`"unknown"` for one this client does not know). */
  mechanism: ScramMechanism | "unknown";
  /** The PBKDF2 iteration count it was stored with. */
  iterations: number;
}

/** One user's credentials, as described (`error` when the user could not be described). */
export interface UserScramCredentials extends ItemResult {
  /** The user. */
  user: string;
  /** Its credentials, one per mechanism (empty when it failed). */
  credentials: ScramCredentialInfo[];
}

/** A credential to add or replace. */
export interface ScramCredentialUpsertion {
  /** The user. */
  user: string;
  /** The mechanism the credential is for. */
  mechanism: ScramMechanism;
  /** The password (used as UTF-8 as it is, as Kafka does: no SASLprep). */
  password: string;
  /** PBKDF2 iterations, 4096 to 16384 (default 4096). */
  iterations?: number;
  /** The salt (default: 32 random bytes). */
  salt?: Uint8Array;
}

/** A credential to delete. */
export interface ScramCredentialDeletion {
  /** The user. */
  user: string;
  /** The mechanism whose credential to delete. */
  mechanism: ScramMechanism;
}

/** The outcome for one credential of an upsert or delete. */
export interface ScramCredentialResult extends ItemResult {
  /** The user, as asked. */
  user: string;
  /** The mechanism, as asked. */
  mechanism: ScramMechanism;
}

/**
 * DescribeUserScramCredentials to any broker: the named users (each with its own result,
 * RESOURCE_NOT_FOUND for one without credentials), or every user with credentials when
 * `users` is left out or empty.
 */
export async function describeUserScramCredentials(
  cluster: Cluster,
  users: readonly string[] | undefined,
  call: Call,
): Promise<UserScramCredentials[]> {
  const names = users === undefined
    ? []
    : listOf("users", users).map((u, i) => nameOf(`users[${i}]`, u));
  const res = await cluster.request(DescribeUserScramCredentials, {
    users: names.length === 0 ? null : names.map((name) => ({ name })),
  }, call.options);
  const api = DescribeUserScramCredentials.name;
  const err = errorForCode(res.errorCode, { api, brokerMessage: res.errorMessage });
  if (err) throw err;
  const described = res.results.map((r): UserScramCredentials => {
    const error = errorForCode(r.errorCode, { api, brokerMessage: r.errorMessage });
    if (error) return { user: r.user, credentials: [], error };
    return {
      user: r.user,
      credentials: r.credentialInfos.map((c) => ({
        mechanism: MECHANISMS[c.mechanism] ?? "unknown",
        iterations: c.iterations,
      })),
    };
  });
  if (names.length === 0) return described;
  const byUser = new Map(described.map((d) => [d.user, d]));
  return names.map((user) =>
    byUser.get(user) ?? { user, credentials: [], error: leftOut(api, user) }
  );
}

/**
 * AlterUserScramCredentials with upsertions, the salted passwords computed here. Kafka
 * alters each user once per request: two credentials of one user in one call fail
 * together (DUPLICATE_RESOURCE).
 */
export async function upsertUserScramCredentials(
  cluster: Cluster,
  upsertions: readonly ScramCredentialUpsertion[],
  call: Call,
): Promise<ScramCredentialResult[]> {
  const checked = listOf("upsertions", upsertions).map((u, i) => {
    const field = `upsertions[${i}]`;
    const { user, mechanism } = credentialOf(field, u);
    if (typeof u.password !== "string" || u.password === "") {
      throw new TypeError(`${field}.password must be a non-empty string`);
    }
    const iterations = intIn(
      `${field}.iterations`,
      u.iterations ?? SCRAM_MIN_ITERATIONS,
      SCRAM_MIN_ITERATIONS,
      SCRAM_MAX_STORED_ITERATIONS,
    );
    if (u.salt !== undefined && (!(u.salt instanceof Uint8Array) || u.salt.length === 0)) {
      throw new TypeError(`${field}.salt must be a non-empty Uint8Array`);
    }
    const salt = u.salt === undefined
      ? crypto.getRandomValues(new Uint8Array(SALT_BYTES))
      : new Uint8Array(u.salt);
    return { user, mechanism, password: u.password, iterations, salt };
  });
  const wire = await Promise.all(checked.map(async (u) => ({
    name: u.user,
    mechanism: MECHANISMS.indexOf(u.mechanism),
    iterations: u.iterations,
    salt: u.salt,
    saltedPassword: await scramSaltedPassword(u.mechanism, u.password, u.salt, u.iterations),
  })));
  return await alter(cluster, checked, { upsertions: wire }, call);
}

/** AlterUserScramCredentials with deletions (same one-change-per-user rule as upserts). */
export async function deleteUserScramCredentials(
  cluster: Cluster,
  deletions: readonly ScramCredentialDeletion[],
  call: Call,
): Promise<ScramCredentialResult[]> {
  const checked = listOf("deletions", deletions).map((d, i) => credentialOf(`deletions[${i}]`, d));
  const wire = checked.map((d) => ({ name: d.user, mechanism: MECHANISMS.indexOf(d.mechanism) }));
  return await alter(cluster, checked, { deletions: wire }, call);
}

/** Sends the alteration; each credential takes its user's result. */
async function alter(
  cluster: Cluster,
  asked: readonly { user: string; mechanism: ScramMechanism }[],
  body: Parameters<typeof AlterUserScramCredentials.writeRequest>[1],
  call: Call,
): Promise<ScramCredentialResult[]> {
  const res = await cluster.request(AlterUserScramCredentials, body, call.options);
  const api = AlterUserScramCredentials.name;
  const byUser = new Map(res.results.map((r) => [r.user, r]));
  return asked.map(({ user, mechanism }) => {
    const answer = byUser.get(user);
    if (!answer) return { user, mechanism, error: leftOut(api, user) };
    const error = errorForCode(answer.errorCode, { api, brokerMessage: answer.errorMessage });
    return { user, mechanism, ...(error ? { error } : {}) };
  });
}

function credentialOf(field: string, value: unknown) {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${field} must be an object`);
  }
  const c = value as ScramCredentialDeletion;
  return {
    user: nameOf(`${field}.user`, c.user),
    mechanism: oneOf(`${field}.mechanism`, c.mechanism, VALID_MECHANISMS),
  };
}

function leftOut(api: string, user: string): KafkitError {
  return new KafkitError(`${api}'s answer left out user ${JSON.stringify(user)}`);
}
