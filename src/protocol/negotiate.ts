/**
 * Choosing the version of an API to speak with a broker.
 *
 * @module
 */

import { UnsupportedVersionError } from "../errors.ts";
import type { Api } from "./api.ts";

/** A broker's supported version range for one API key, from ApiVersions. */
export interface VersionRange {
  /** The lowest version the broker supports. */
  min: number;
  /** The highest version the broker supports. */
  max: number;
}

/**
 * The lowest Produce version a Kafka 4 broker accepts. Such brokers still advertise v0 to
 * work around an old librdkafka bug (KAFKA-18659) but reject v0–v2, so v3 is the floor.
 */
const PRODUCE_FLOOR = 3;

/**
 * The version to use for `api`: the highest that kafkit and the broker both support, at
 * most `cap`. Unstable latest versions are never chosen. Throws `UnsupportedVersionError`
 * when the broker lacks the API or the ranges do not meet.
 *
 * @example
 * ```ts
 * import { Metadata, negotiateVersion } from "@kafkit/kafkit/protocol";
 * console.log(negotiateVersion(Metadata, { min: 0, max: 12 })); // 12
 * console.log(negotiateVersion(Metadata, { min: 0, max: 12 }, 9)); // 9
 * ```
 */
export function negotiateVersion(
  // deno-lint-ignore no-explicit-any
  api: Api<any, any>,
  broker: VersionRange | undefined,
  cap?: number,
  where = "the broker",
): number {
  if (!broker) throw new UnsupportedVersionError(`${where} does not support ${api.name}`);
  const ours = api.latestVersionUnstable ? api.maxVersion - 1 : api.maxVersion;
  const floor = Math.max(api.minVersion, api.key === 0 ? PRODUCE_FLOOR : 0);
  const max = Math.min(ours, broker.max, cap ?? Infinity);
  const min = Math.max(floor, broker.min);
  if (max < min) {
    throw new UnsupportedVersionError(
      `${api.name}: ${where} supports v${broker.min}-${broker.max}, kafkit supports ` +
        `v${floor}-${ours}${cap === undefined ? "" : ` (capped at v${cap})`}`,
    );
  }
  return max;
}
