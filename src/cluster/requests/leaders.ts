/**
 * Requests about partitions that only their leaders answer (ListOffsets, DeleteRecords,
 * OffsetForLeaderEpoch): the partitions grouped by leader into one request per broker, and
 * rounds that ask again, on fresh metadata, only for the partitions whose answer said the
 * leader moved or whose broker could not be reached.
 *
 * @module
 */

import { abortable } from "../../_async/abortable.ts";
import { isRetriable, retry } from "../../_async/retry.ts";
import { partitionKey, type TopicPartition } from "../../offsets.ts";
import type { Api } from "../../protocol/api.ts";
import { ErrorCodes, KafkaError } from "../../protocol/errors.ts";
import type { Cluster } from "../cluster.ts";
import type { Lane } from "../_pool.ts";

/** One partition of an answer, with the broker's error for it. */
export interface PartitionAnswer extends TopicPartition {
  /** The partition's error code as a `KafkaError`, undefined when it succeeded. */
  error: KafkaError | undefined;
}

/** How to ask leaders about partitions with one API: its request and how to read it. */
export interface LeaderAsk<Q extends TopicPartition, Req, Res, A extends PartitionAnswer> {
  /** The API, whose target is a partition's leader. */
  api: Api<Req, Res>;
  /** The request body for the partitions one broker leads. */
  request(queries: Q[]): Req;
  /** Every partition of an answer. */
  read(res: Res): A[];
  /** The lowest version of `api` that can carry `query` (default: any). */
  minVersion?(query: Q): number;
}

/** Options of {@linkcode askLeaders}. */
export interface AskLeadersOptions {
  /** Cancels the rounds (and the requests in flight). */
  signal?: AbortSignal;
  /** Which connection to each leader (default `"default"`). */
  lane?: Lane;
  /** Rounds in all before the partitions still unanswered get their last error (default 10). */
  attempts?: number;
}

/** What {@linkcode askLeaders} found, keyed by {@linkcode partitionKey}. */
export interface LeaderAnswers<A> {
  /** The partitions answered without an error. */
  answers: Map<string, A>;
  /** The partitions that failed: a non-retriable error, or the last one when rounds ran out. */
  errors: Map<string, Error>;
}

/** Thrown inside the rounds to start another one; never leaves {@linkcode askLeaders}. */
const AGAIN = Symbol("another round");

/**
 * Asks each partition's leader about its partitions, one request per broker. A partition's
 * own error is its result (no exception); a failure of a whole request that a retry cannot
 * help (an abort, an answer that cannot be decoded) is thrown.
 */
export async function askLeaders<Q extends TopicPartition, Req, Res, A extends PartitionAnswer>(
  cluster: Cluster,
  ask: LeaderAsk<Q, Req, Res, A>,
  queries: readonly Q[],
  options: AskLeadersOptions = {},
): Promise<LeaderAnswers<A>> {
  const answers = new Map<string, A>();
  const errors = new Map<string, Error>();
  const pending = new Map(queries.map((q) => [partitionKey(q.topic, q.partition), q]));
  const fail = (key: string, error: Error) => {
    errors.set(key, error);
    if (!isRetriable(error)) pending.delete(key);
  };

  const askNode = async (nodeId: number, qs: Q[]) => {
    try {
      if (ask.minVersion) {
        const conn = await abortable(cluster.connection(nodeId), options.signal);
        const version = conn.negotiate(ask.api);
        qs = qs.filter((q) => {
          if (ask.minVersion!(q) <= version) return true;
          const { topic, partition } = q;
          fail(
            partitionKey(topic, partition),
            new KafkaError(ErrorCodes.UNSUPPORTED_VERSION, { api: ask.api.name, topic, partition }),
          );
          return false;
        });
        if (qs.length === 0) return;
      }
      const res = await cluster.request(ask.api, ask.request(qs), {
        route: { to: "node", nodeId },
        attempts: 1,
        signal: options.signal,
        lane: options.lane,
      });
      for (const answer of ask.read(res)) {
        const key = partitionKey(answer.topic, answer.partition);
        if (!pending.has(key)) continue;
        if (answer.error) {
          if (answer.error.retriable) cluster.invalidate(answer.topic);
          fail(key, answer.error);
        } else {
          answers.set(key, answer);
          errors.delete(key);
          pending.delete(key);
        }
      }
      for (const { topic, partition } of qs) {
        const key = partitionKey(topic, partition);
        // A leader that left a partition out of its answer: look the leader up again.
        if (pending.has(key) && !errors.has(key)) {
          cluster.invalidate(topic);
          errors.set(
            key,
            new KafkaError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, {
              api: ask.api.name,
              topic,
              partition,
            }),
          );
        }
      }
    } catch (e) {
      if (!isRetriable(e)) throw e;
      for (const q of qs) {
        cluster.invalidate(q.topic);
        errors.set(partitionKey(q.topic, q.partition), e as Error);
      }
    }
  };

  try {
    await retry(async () => {
      const byLeader = new Map<number, Q[]>();
      for (const [key, q] of pending) {
        try {
          // A metadata lookup waiting on a dial must not outlast the signal.
          const { nodeId } = await abortable(cluster.leader(q.topic, q.partition), options.signal);
          const list = byLeader.get(nodeId);
          if (list) list.push(q);
          else byLeader.set(nodeId, [q]);
        } catch (e) {
          if (e instanceof TypeError || e instanceof RangeError || options.signal?.aborted) throw e;
          fail(key, e as Error);
        }
      }
      const rounds = await Promise.allSettled(
        [...byLeader].map(([nodeId, qs]) => askNode(nodeId, qs)),
      );
      for (const r of rounds) if (r.status === "rejected") throw r.reason;
      if (pending.size > 0) throw AGAIN;
    }, {
      attempts: options.attempts ?? 10,
      backoffMin: 100,
      backoffMax: 1_000,
      signal: options.signal,
      isRetriable: (e) => e === AGAIN,
    });
  } catch (e) {
    if (e !== AGAIN) throw e;
  }
  return { answers, errors };
}
