/**
 * Requests about many groups, sent once per group coordinator: the coordinators are found
 * together (one batched FindCoordinator), each gets the groups it coordinates in one
 * request, and the groups whose coordinator moved or was not ready are asked again.
 *
 * @module
 */

import { isRetriable, retry } from "../_async/retry.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { ErrorCodes, errorForCode, isRetriableCode, KafkaError } from "../protocol/errors.ts";

/** Codes that say the group's coordinator is elsewhere: find it again before asking. */
const MOVED: ReadonlySet<number> = new Set([
  ErrorCodes.NOT_COORDINATOR,
  ErrorCodes.COORDINATOR_NOT_AVAILABLE,
]);

/** How {@linkcode askCoordinators} sends and reads one coordinator's share of the groups. */
export interface CoordinatedAsk<T> {
  /** Sends one request to `nodeId` about `groupIds`; the answer for each group it covers. */
  ask(nodeId: number, groupIds: readonly string[]): Promise<Map<string, T>>;
  /**
   * The code that decides whether a group's answer is final: 0 or a non-retriable code is
   * (the caller reads it); a retriable one is asked again (after finding the coordinator
   * again when it says the coordinator moved).
   */
  codeOf(answer: T): number;
}

/**
 * Each group's answer from its coordinator, or the error that kept it from one (a failed
 * lookup, a failed request, or the last retriable failure once the attempts ran out). Only
 * the signal's abort rejects.
 */
export async function askCoordinators<T>(
  cluster: Cluster,
  groupIds: readonly string[],
  signal: AbortSignal,
  how: CoordinatedAsk<T>,
): Promise<Map<string, T | Error>> {
  const out = new Map<string, T | Error>();
  const pending = new Set(groupIds);
  /** Each pending group's last retriable failure: its answer if the attempts run out. */
  const lastFailure = new Map<string, unknown>();
  const settle = (id: string, answer: T | Error) => {
    out.set(id, answer);
    pending.delete(id);
  };
  try {
    await retry(async () => {
      const byNode = new Map<number, string[]>();
      await Promise.all([...pending].map(async (id) => {
        try {
          // One lookup per round: this loop's retry asks again for the groups still pending.
          const nodeId = await cluster.coordinator("group", id, { attempts: 1 });
          byNode.set(nodeId, [...(byNode.get(nodeId) ?? []), id]);
        } catch (e) {
          if (isRetriable(e)) lastFailure.set(id, e);
          else settle(id, e as Error);
        }
      }));
      await Promise.all([...byNode].map(async ([nodeId, ids]) => {
        let answers: Map<string, T>;
        try {
          answers = await how.ask(nodeId, ids);
        } catch (e) {
          if (!isRetriable(e)) return ids.forEach((id) => settle(id, e as Error));
          for (const id of ids) {
            lastFailure.set(id, e);
            cluster.forgetCoordinator("group", id);
          }
          return;
        }
        for (const id of ids) {
          const answer = answers.get(id);
          if (answer === undefined) continue;
          const code = how.codeOf(answer);
          if (!isRetriableCode(code)) {
            settle(id, answer);
            continue;
          }
          if (MOVED.has(code)) cluster.forgetCoordinator("group", id);
          lastFailure.set(id, errorForCode(code, { groupId: id }));
        }
      }));
      for (const id of pending) {
        // A coordinator that left a group out of its answer is asked again, like a moved one.
        throw lastFailure.get(id) ??
          new KafkaError(ErrorCodes.COORDINATOR_NOT_AVAILABLE, { groupId: id });
      }
    }, { attempts: 10, backoffMin: 50, backoffMax: 1_000, signal });
  } catch (e) {
    if (signal.aborted) throw e;
    for (const id of pending) out.set(id, (lastFailure.get(id) ?? e) as Error);
  }
  return out;
}
