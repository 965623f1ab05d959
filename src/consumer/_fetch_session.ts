/**
 * An incremental fetch session with one broker (KIP-227). The first fetch (epoch 0) names
 * every partition and asks the broker for a session; later ones (epoch 1, 2, …) name only
 * partitions whose fetch data changed (added, a new offset or leader epoch) and list those
 * dropped as forgotten, and the broker answers only for partitions with something new. With
 * a thousand mostly idle partitions a fetch shrinks from all of them to the few that moved.
 *
 * When the broker loses the session (evicted from its cache, or the epochs went out of step)
 * it answers with a session error and the next fetch starts over with a full one. A fetch
 * that got no answer leaves the broker's state unknown: the next one is full too, and closes
 * the old session.
 *
 * @module
 */
import type { Cluster } from "../cluster/cluster.ts";
import { type FetchPartition, fetchRequest } from "../cluster/requests/fetch.ts";
import { abortable } from "../_async/abortable.ts";
import { Fetch } from "../protocol/generated/fetch.ts";
import { partitionKey } from "../offsets.ts";
import { ErrorCodes } from "../protocol/errors.ts";

/** The session fields and partitions of one fetch. */
export interface SessionFetch {
  sessionId: number;
  /** 0 opens a session (a full fetch); -1 closes one; above 0 is incremental. */
  sessionEpoch: number;
  /** The partitions to name in the request. */
  partitions: FetchPartition[];
  /** Partitions the broker should drop from the session. */
  forgotten: FetchPartition[];
}

/** The session errors after which a full fetch starts a new session. */
const SESSION_ERRORS: ReadonlySet<number> = new Set([
  ErrorCodes.FETCH_SESSION_ID_NOT_FOUND,
  ErrorCodes.INVALID_FETCH_SESSION_EPOCH,
  ErrorCodes.FETCH_SESSION_TOPIC_ID_ERROR,
]);

/** Epochs wrap from the largest int32 back to 1 (0 and -1 have their own meaning). */
const nextEpoch = (epoch: number) => epoch >= 0x7fffffff ? 1 : epoch + 1;

const keyOf = (p: FetchPartition) => partitionKey(p.topic, p.partition);

/** Whether the broker's copy of `p` is `held` (nothing to send). */
const same = (p: FetchPartition, held: FetchPartition | undefined) =>
  held !== undefined && held.offset === p.offset && held.topicId === p.topicId &&
  (held.leaderEpoch ?? -1) === (p.leaderEpoch ?? -1) &&
  (held.lastFetchedEpoch ?? -1) === (p.lastFetchedEpoch ?? -1);

/** One broker's fetch session, as the client sees it. */
export class FetchSession {
  /** The broker's session id; 0 while there is none. */
  #id = 0;
  /** The epoch of the next fetch; 0 makes it full. */
  #epoch = 0;
  /** The partitions, as last sent, the broker holds in the session. */
  readonly #held = new Map<string, FetchPartition>();
  readonly #enabled: boolean;

  /** `enabled` false: every fetch is full and sessionless (epoch -1), as before KIP-227. */
  constructor(enabled = true) {
    this.#enabled = enabled;
  }

  /** The broker's session id, 0 without one. */
  get id(): number {
    return this.#id;
  }

  /** What to send to fetch `wanted`: all of it (full), or what the broker lacks. */
  next(wanted: readonly FetchPartition[]): SessionFetch {
    if (!this.#enabled) {
      return { sessionId: 0, sessionEpoch: -1, partitions: [...wanted], forgotten: [] };
    }
    if (this.#epoch === 0) {
      return { sessionId: this.#id, sessionEpoch: 0, partitions: [...wanted], forgotten: [] };
    }
    const keys = new Set(wanted.map(keyOf));
    return {
      sessionId: this.#id,
      sessionEpoch: this.#epoch,
      partitions: wanted.filter((p) => !same(p, this.#held.get(keyOf(p)))),
      forgotten: [...this.#held.values()].filter((p) => !keys.has(keyOf(p))),
    };
  }

  /**
   * The broker answered `sent` with `errorCode` (the response's top-level one) and
   * `sessionId`. True if the answer is to be used; false after a session error (the next
   * fetch is full and the answer holds no partitions).
   */
  answered(sent: SessionFetch, errorCode: number, sessionId: number): boolean {
    if (sent.sessionEpoch < 0) return true;
    if (errorCode !== 0) {
      // Unknown session: ask for a new one. Otherwise close this one and ask again.
      if (errorCode === ErrorCodes.FETCH_SESSION_ID_NOT_FOUND) this.#id = 0;
      this.#restart();
      return !SESSION_ERRORS.has(errorCode);
    }
    if (sent.sessionEpoch === 0) {
      this.#held.clear();
      this.#id = sessionId;
      // No session granted (the broker's cache is full): the next fetch asks again.
      if (sessionId === 0) return true;
    }
    for (const p of sent.partitions) this.#held.set(keyOf(p), p);
    for (const p of sent.forgotten) this.#held.delete(keyOf(p));
    this.#epoch = nextEpoch(this.#epoch);
    return true;
  }

  /** The fetch got no answer: whether the broker applied it is unknown, so start over. */
  failed(): void {
    this.#restart();
  }

  /** The fetch that ends the session on the broker, if there is one; the session is reset. */
  close(): SessionFetch | undefined {
    if (!this.#enabled || this.#id === 0) return undefined;
    const id = this.#id;
    this.#id = 0;
    this.#restart();
    return { sessionId: id, sessionEpoch: -1, partitions: [], forgotten: [] };
  }

  /** The next fetch is full (epoch 0), closing the session `#id` names if any. */
  #restart(): void {
    this.#epoch = 0;
    this.#held.clear();
  }
}

/** Whether `code` is one of the errors a lost or out-of-step fetch session answers with. */
export const isSessionError = (code: number): boolean => SESSION_ERRORS.has(code);

/**
 * Ends `session` on broker `node` (epoch -1, no partitions), so it does not hold a slot of the
 * broker's session cache until evicted. It queues behind the long poll the closing reader
 * aborted on that connection: allowed `maxWait` for it, and 2 s more.
 */
export async function closeSession(
  cluster: Cluster,
  node: number,
  session: FetchSession,
  limits: { maxWait: number; maxBytes: number },
): Promise<void> {
  const end = session.close();
  if (!end) return;
  const timeout = limits.maxWait + 2_000;
  const conn = await abortable(cluster.connection(node, "fetch"), AbortSignal.timeout(timeout));
  const settings = { minBytes: 0, maxBytes: limits.maxBytes, maxWait: 0, readCommitted: false };
  await conn.request(Fetch, fetchRequest([], settings, end), { timeout });
}
