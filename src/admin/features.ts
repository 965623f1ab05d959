/**
 * Cluster features (KIP-584): the levels each broker supports and the levels the cluster has
 * finalized (ApiVersions v3+), and changing a finalized level (UpdateFeatures).
 *
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { errorForCode } from "../protocol/errors.ts";
import { ApiVersions } from "../protocol/generated/api_versions.ts";
import { UpdateFeatures } from "../protocol/generated/update_features.ts";
import { CLIENT_SOFTWARE } from "../version.ts";
import type { Call } from "./_call.ts";
import type { ItemResult } from "./_results.ts";
import { intIn, listOf, nameOf, oneOf } from "../_validate.ts";

/** A feature the answering broker supports, with the levels it can run. */
export interface SupportedFeature {
  /** The feature's name, e.g. `"metadata.version"`. */
  name: string;
  /** The lowest level the broker supports. */
  minVersion: number;
  /** The highest level the broker supports. */
  maxVersion: number;
}

/** A feature the cluster has finalized: the level every broker runs. */
export interface FinalizedFeature {
  /** The feature's name, e.g. `"metadata.version"`. */
  name: string;
  /** The lowest finalized level (Kafka 4 sets it equal to the highest). */
  minVersionLevel: number;
  /** The level in force. */
  maxVersionLevel: number;
}

/** The answer of `describeFeatures`. */
export interface FeatureMetadata {
  /** The levels the cluster has finalized. */
  finalizedFeatures: FinalizedFeature[];
  /** Grows with every change of the finalized levels; null when the broker names none. */
  finalizedFeaturesEpoch: number | null;
  /** The levels the answering broker supports. */
  supportedFeatures: SupportedFeature[];
}

/** ApiVersions (v3+ carries the features) to any broker; older brokers name none. */
export async function describeFeatures(cluster: Cluster, call: Call): Promise<FeatureMetadata> {
  const res = await cluster.request(ApiVersions, CLIENT_SOFTWARE, call.options);
  const err = errorForCode(res.errorCode, { api: "ApiVersions" });
  if (err) throw err;
  return {
    finalizedFeatures: res.finalizedFeatures.map((f) => ({
      name: f.name,
      minVersionLevel: f.minVersionLevel,
      maxVersionLevel: f.maxVersionLevel,
    })),
    finalizedFeaturesEpoch: res.finalizedFeaturesEpoch < 0n
      ? null
      : Number(res.finalizedFeaturesEpoch),
    supportedFeatures: res.supportedFeatures.map((f) => ({
      name: f.name,
      minVersion: f.minVersion,
      maxVersion: f.maxVersion,
    })),
  };
}

/**
 * How a level may move: up only, down where no metadata is lost, or down even when some
 * is (KIP-778).
 */
export type FeatureUpgradeType = "upgrade" | "safe-downgrade" | "unsafe-downgrade";

/** Wire codes of {@linkcode FeatureUpgradeType}, from 1. */
const UPGRADE_TYPES: readonly FeatureUpgradeType[] = [
  "upgrade",
  "safe-downgrade",
  "unsafe-downgrade",
];

/** One change of `updateFeatures`. */
export interface FeatureUpdate {
  /** The feature's name. */
  feature: string;
  /** The new finalized level (0, with a downgrade, removes the feature). */
  maxVersionLevel: number;
  /** Which way the level may move (default `"upgrade"`). */
  upgradeType?: FeatureUpgradeType;
}

/** Options of `updateFeatures`. */
export interface UpdateFeaturesOptions {
  /** Only check the changes, apply nothing (UpdateFeatures v1+, default false). */
  validateOnly?: boolean;
}

/** The outcome of one {@linkcode FeatureUpdate}. */
export interface FeatureUpdateResult extends ItemResult {
  /** The feature's name. */
  feature: string;
}

/**
 * UpdateFeatures to the controller. The controller applies all changes or none: since v2 it
 * answers with one error, which every change gets.
 */
export async function updateFeatures(
  cluster: Cluster,
  updates: readonly FeatureUpdate[],
  options: UpdateFeaturesOptions,
  call: Call,
): Promise<FeatureUpdateResult[]> {
  const checked = listOf("updates", updates).map((u, i) => {
    const field = `updates[${i}]`;
    return {
      feature: nameOf(`${field}.feature`, u?.feature),
      maxVersionLevel: intIn(`${field}.maxVersionLevel`, u.maxVersionLevel, 0, 32767),
      upgradeType: oneOf(`${field}.upgradeType`, u.upgradeType ?? "upgrade", UPGRADE_TYPES),
    };
  });
  if (checked.length === 0) return [];
  const validateOnly = options.validateOnly ?? false;
  const res = await cluster.request(UpdateFeatures, {
    timeoutMs: call.timeout,
    featureUpdates: checked.map((u) => ({
      feature: u.feature,
      maxVersionLevel: u.maxVersionLevel,
      upgradeType: UPGRADE_TYPES.indexOf(u.upgradeType) + 1,
      // v0 knows only "may go down".
      allowDowngrade: u.upgradeType !== "upgrade",
    })),
    validateOnly,
  }, {
    // ZooKeeper-mode brokers answer only on the controller (KRaft brokers forward it).
    route: { to: "controller" },
    errorCode: (r) => r.errorCode,
    // v0 has no validateOnly: it would apply the change.
    minVersion: validateOnly ? { version: 1, for: "validateOnly" } : undefined,
    ...call.options,
  });
  const failedAll = errorForCode(res.errorCode, {
    api: "UpdateFeatures",
    brokerMessage: res.errorMessage,
  });
  const byName = new Map(res.results.map((r) => [r.feature, r]));
  return checked.map(({ feature }) => {
    const r = byName.get(feature);
    const error = failedAll ??
      (r && errorForCode(r.errorCode, { api: "UpdateFeatures", brokerMessage: r.errorMessage }));
    return error ? { feature, error } : { feature };
  });
}
