/**
 * Refusing an option an older broker would silently drop: a request field added in a later
 * version is not written at earlier ones, so asking without it would answer a different
 * question (all transactions instead of long-running ones, a token for the wrong owner).
 *
 * @module
 */

import { abortable } from "../_async/abortable.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { UnsupportedVersionError } from "../errors.ts";
import type { Api } from "../protocol/api.ts";

/**
 * Resolves when broker `nodeId` (default: any broker) speaks `api` at `min` or later; an
 * `UnsupportedVersionError` naming `option` otherwise.
 */
export async function requireVersion(
  cluster: Cluster,
  // deno-lint-ignore no-explicit-any
  api: Api<any, any>,
  min: number,
  option: string,
  signal: AbortSignal,
  nodeId?: number,
): Promise<void> {
  const conn = await abortable(
    nodeId === undefined ? cluster.anyConnection() : cluster.connection(nodeId),
    signal,
  );
  const max = Math.min(conn.brokerVersions(api.key)?.max ?? -1, api.maxVersion);
  if (max < min) {
    const has = max < 0 ? "does not support it" : `speaks at most v${max}`;
    throw new UnsupportedVersionError(
      `${option} needs ${api.name} v${min}+: broker ${conn.address} ${has}`,
    );
  }
}
