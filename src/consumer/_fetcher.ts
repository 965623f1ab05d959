/**
 * Fetching ahead of the application: one loop per broker fetches, in one request, all the
 * partitions read from it (their leader, or a replica in the consumer's rack), decodes them
 * and queues the messages. The queue is bounded (`queueCapacity` messages), so a slow reader
 * stops the fetching, not the memory.
 *
 * @module
 */
import { type Cluster, failsConnection, LEADER_MOVED } from "../cluster/cluster.ts";
import { fetchRequest } from "../cluster/requests/fetch.ts";
import { fetchedEnd, fetchedMessages } from "../cluster/requests/fetched.ts";
import { closeSession, FetchSession } from "./_fetch_session.ts";
import { checkNewLeaders, divergedAt, type EpochEnd } from "./log_truncation.ts";
import { listOffsets } from "../cluster/requests/list_offsets.ts";
import { abortable, throwIfAborted } from "../_async/abortable.ts";
import { delay } from "../_async/delay.ts";
import { Notifier } from "../_async/notifier.ts";
import { backoffDelay, retry } from "../_async/retry.ts";
import type { Message } from "../message.ts";
import { FirstOffset, LastOffset, partitionKey, type TopicPartition } from "../offsets.ts";
import { ErrorCodes, errorForCode } from "../protocol/errors.ts";
import { Fetch, type FetchResponse } from "../protocol/generated/fetch.ts";

/** Settings of a {@linkcode Fetcher}. */
export interface FetcherOptions {
  cluster: Cluster;
  minBytes: number;
  maxBytes: number;
  /** Longest time the broker may hold a fetch waiting for `minBytes`, in ms. */
  maxWait: number;
  /** Time allowed for a fetch's answer, `maxWait` included, in ms. */
  fetchTimeout: number;
  readCommitted: boolean;
  /** Whether record batch CRC-32Cs are checked. */
  checkCrcs: boolean;
  /** Where to go when an offset is unknown or out of range: FirstOffset or LastOffset. */
  startOffset: number;
  /** Messages buffered ahead of the reader before fetching pauses. */
  queueCapacity: number;
  backoffMin: number;
  backoffMax: number;
  log: (message: string) => void;
  logError: (message: string, error: unknown) => void;
  /** A partition was read up to its high watermark. */
  onEof?: (partition: TopicPartition, offset: number) => void;
  /** A fetch failed (the fetcher retries; the reader may surface it). */
  onError?: (error: unknown, partition?: TopicPartition) => void;
  /** This consumer's rack: brokers may point it to a replica in the same rack (KIP-392). */
  rackId?: string;
  /** How long a preferred read replica is used before the leader is asked again, in ms. */
  preferredReplicaMaxAge?: number;
  /** Incremental fetch sessions (KIP-227); false sends every partition each time. */
  fetchSessions?: boolean;
  /** A fetch response was decoded: messages queued and record bytes received. */
  onFetch?: (messages: number, bytes: number) => void;
}

/** A partition being fetched. */
interface FetchState extends TopicPartition {
  key: string;
  /** Next offset to fetch; FirstOffset/LastOffset until resolved. */
  offset: number;
  /** The broker fetched from: the leader, or a preferred read replica (KIP-392); -1 unplaced. */
  node: number;
  /** Until when (ms) a preferred read replica is used; 0 while fetching from the leader. */
  preferredUntil: number;
  /** The leader epoch the metadata gave, sent so a stale leader or stale metadata is refused. */
  leaderEpoch: number;
  /** The leader epoch of the last batch fetched, so the leader can tell a truncation (KIP-320). */
  lastFetchedEpoch: number;
  highWaterMark: number;
  atEof: boolean;
  removed: boolean;
  /** Not fetched, its queued messages held back, until resumed. */
  paused: boolean;
  /**
   * Times in a row the partition had to be placed again (its broker failed, its leader
   * moved) without a fetch returning it since: the backoff before the next placement grows
   * with it, so a broker that fails every fetch is not redialed many times a second.
   */
  relocations: number;
  /** The offset past the partition's end last reported as waited at (reported once). */
  waitingAt?: number;
}

/** A partition as one fetch asked for it: where from, and after which batch's epoch. */
interface Asked {
  state: FetchState;
  offset: number;
  lastFetchedEpoch: number;
}

/** A fetch's answer, or why there is none, with what it asked for. */
type Fetched =
  | { ok: true; res: FetchResponse; asked: Map<string, Asked> }
  | { ok: false; error: unknown };

/** Messages of one partition, in order, waiting for the reader. */
interface Chunk {
  state: FetchState;
  messages: Message[];
  next: number;
  /** The record bytes the broker sent for them (compressed batches: compressed). */
  wire: number;
}

/** Where a fetch of `s` starts now. */
const asked = (s: FetchState): Asked => ({
  state: s,
  offset: s.offset,
  lastFetchedEpoch: s.lastFetchedEpoch,
});

/** Fetches a changing set of partitions into one bounded queue. */
export class Fetcher {
  readonly #o: FetcherOptions;
  readonly #states = new Map<string, FetchState>();
  /** Brokers with a running fetch loop (kept in step synchronously with the loops). */
  readonly #nodes = new Set<number>();
  readonly #loops = new Set<Promise<void>>();
  readonly #queue: Chunk[] = [];
  /** Paused partitions (kept across add/remove: a rebalance may give one back). */
  readonly #paused = new Map<string, TopicPartition>();
  /** Messages of paused partitions taken out of the queue, per partition. */
  readonly #held = new Map<string, Chunk[]>();
  #buffered = 0;
  /** Record bytes fetched for the queued chunks, until each is read to its end. */
  #bufferedWire = 0;
  /** Readers waiting for a message (several `next()` calls may wait at once). */
  readonly #readers = new Notifier();
  /** Errors for the reader's next `next()` call, ahead of any message. */
  readonly #failures: unknown[] = [];
  #closed: Error | undefined;
  #wakeFetchers: (() => void)[] = [];
  readonly #abort = new AbortController();
  /** Each broker's fetch session. */
  readonly #sessions = new Map<number, FetchSession>();

  constructor(options: FetcherOptions) {
    this.#o = options;
  }

  /** Starts fetching `partitions` from `offset` (or FirstOffset/LastOffset). */
  add(partitions: readonly (TopicPartition & { offset: number })[]): void {
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      this.#drop(key);
      const state: FetchState = {
        topic: p.topic,
        partition: p.partition,
        key,
        offset: p.offset,
        node: -1,
        preferredUntil: 0,
        leaderEpoch: -1,
        lastFetchedEpoch: -1,
        highWaterMark: -1,
        atEof: false,
        removed: false,
        paused: this.#paused.has(key),
        relocations: 0,
      };
      this.#states.set(key, state);
    }
    void this.#place([...this.#states.values()].filter((s) => s.node < 0));
  }

  /** Stops fetching `partitions` and drops their queued messages. */
  remove(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#drop(partitionKey(p.topic, p.partition));
  }

  /**
   * Stops fetching `partitions` and holds back their queued messages until resumed.
   * Held messages do not count against the queue's capacity: the others keep flowing.
   */
  pause(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      this.#paused.set(key, { topic: p.topic, partition: p.partition });
      const state = this.#states.get(key);
      if (state) state.paused = true;
    }
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const c = this.#queue[i];
      if (!c.state.paused) continue;
      this.#queue.splice(i, 1);
      this.#count(c, -1);
      this.#held.set(c.state.key, [c, ...this.#held.get(c.state.key) ?? []]);
    }
    if (this.#wakeFetchers.length > 0 && !this.#full()) this.#wake();
  }

  /** Fetches `partitions` again; their held messages come first. */
  resume(partitions: readonly TopicPartition[]): void {
    const nodes = new Set<number>();
    for (const p of partitions) {
      const key = partitionKey(p.topic, p.partition);
      this.#paused.delete(key);
      const held = this.#held.get(key) ?? [];
      this.#held.delete(key);
      this.#queue.unshift(...held);
      for (const c of held) this.#count(c, 1);
      const state = this.#states.get(key);
      if (!state?.paused) continue;
      state.paused = false;
      if (state.node >= 0) nodes.add(state.node);
    }
    // A loop whose partitions were all paused has ended: start it again.
    for (const node of nodes) this.#ensureLoop(node);
    if (this.#queue.length > 0) this.#wakeReaders();
  }

  /** The paused partitions. */
  get paused(): TopicPartition[] {
    return [...this.#paused.values()];
  }

  /** The next queued message, or undefined when none is; throws a pending failure. */
  poll(): Message | undefined {
    if (this.#closed) throw this.#closed;
    if (this.#failures.length > 0) throw this.#failures.shift();
    const chunk = this.#queue[0];
    if (!chunk) return undefined;
    const m = chunk.messages[chunk.next++];
    if (chunk.next >= chunk.messages.length) this.#finished();
    this.#buffered--;
    if (this.#wakeFetchers.length > 0 && !this.#full()) this.#wake();
    return m;
  }

  /** Up to `max` queued messages, in order (several partitions' maybe); [] when none is. */
  pollMany(max: number): Message[] {
    if (this.#closed) throw this.#closed;
    if (this.#failures.length > 0) throw this.#failures.shift();
    const out: Message[] = [];
    while (out.length < max) {
      const chunk = this.#queue[0];
      if (!chunk) break;
      const end = Math.min(chunk.messages.length, chunk.next + max - out.length);
      for (let i = chunk.next; i < end; i++) out.push(chunk.messages[i]);
      this.#buffered -= end - chunk.next;
      chunk.next = end;
      if (end >= chunk.messages.length) this.#finished();
    }
    if (out.length > 0 && this.#wakeFetchers.length > 0 && !this.#full()) this.#wake();
    return out;
  }

  /** The next message, waiting for one; rejects when `signal` aborts. */
  async next(signal?: AbortSignal): Promise<Message> {
    for (;;) {
      throwIfAborted(signal);
      const m = this.poll();
      if (m) return m;
      await this.#readers.wait({ signal });
    }
  }

  /** Messages queued for the reader. */
  get queued(): number {
    return this.#buffered;
  }

  /**
   * Makes the reader's next `next()` reject with `error` (fetching goes on). One failure
   * waits at a time: a partition failing on every fetch does not pile them up.
   */
  fail(error: unknown): void {
    if (this.#failures.length === 0) this.#failures.push(error);
    this.#wakeReaders();
  }

  /** Puts a message taken by `poll`/`next` back at the head of the queue. */
  unread(m: Message): void {
    const state = this.#states.get(partitionKey(m.topic, m.partition));
    if (!state) return; // no longer fetched: its next owner reads it
    const chunk = { state, messages: [m], next: 0, wire: 0 };
    if (state.paused) this.#held.set(state.key, [chunk, ...this.#held.get(state.key) ?? []]);
    else {
      this.#queue.unshift(chunk);
      this.#count(chunk, 1);
    }
  }

  /** Adds (`sign` 1) or takes away (-1) a chunk's unread messages from the queue's counts. */
  #count(c: Chunk, sign: 1 | -1): void {
    this.#buffered += sign * (c.messages.length - c.next);
    this.#bufferedWire += sign * c.wire;
  }

  /** The queue's head chunk was read to its end. */
  #finished(): void {
    this.#bufferedWire -= this.#queue.shift()!.wire;
  }

  /**
   * Fetching pauses once the queue holds `queueCapacity` messages and a whole response's worth
   * of fetched bytes (`maxBytes`, counted as the broker sent them): a response stays ahead of
   * the reader whatever the messages' size or compression (a compressed response holds more
   * messages than an uncompressed one), and large messages stay bounded by the count.
   */
  #full(): boolean {
    return this.#buffered >= this.#o.queueCapacity && this.#bufferedWire >= this.#o.maxBytes;
  }

  #wakeReaders(): void {
    this.#readers.notify();
  }

  /** Stops every loop and waits for them; a waiting `next()` rejects with `reason`. */
  async close(reason: Error): Promise<void> {
    this.#abort.abort(reason);
    // Every read from now on ends with the reason, waiting ones included.
    this.#closed = reason;
    this.#wakeReaders();
    for (const s of this.#states.values()) s.removed = true;
    this.#states.clear();
    this.#wake();
    await Promise.allSettled([...this.#loops]);
    await Promise.allSettled(
      [...this.#sessions].map(([node, s]) => closeSession(this.#o.cluster, node, s, this.#o)),
    );
  }

  #drop(key: string): void {
    const state = this.#states.get(key);
    if (!state) return;
    state.removed = true;
    this.#states.delete(key);
    this.#held.delete(key);
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const c = this.#queue[i];
      if (c.state === state) {
        this.#count(c, -1);
        this.#queue.splice(i, 1);
      }
    }
    this.#wake();
  }

  #wake(): void {
    if (this.#wakeFetchers.length === 0) return;
    const waiting = this.#wakeFetchers;
    this.#wakeFetchers = [];
    for (const w of waiting) w();
  }

  /**
   * Finds leaders (and starting offsets) for partitions that have none, then starts their
   * brokers' loops; retried with backoff until placed, removed or closed. `later` waits a
   * backoff first (partitions that just left a broker), growing with their relocations.
   */
  async #place(states: FetchState[], later = false): Promise<void> {
    const signal = this.#abort.signal;
    const unplaced = () => states.filter((s) => !s.removed && s.node < 0);
    if (unplaced().length === 0 || signal.aborted) return;
    try {
      if (later) {
        const relocations = Math.max(...unplaced().map((s) => s.relocations));
        await delay(this.#backoff(relocations), { signal });
      }
      await retry(async () => {
        const todo = unplaced();
        const leaders = await abortable(
          Promise.all(todo.map((s) => this.#o.cluster.leader(s.topic, s.partition))),
          signal,
        );
        await checkNewLeaders(this.#o.cluster, todo, leaders, this.#abort.signal, (s, end) => {
          if (!s.removed) this.#diverged(s, end);
        });
        // After the check, which may send a partition back to where startOffset says.
        const unresolved = todo.filter((s) => s.offset < 0);
        if (unresolved.length > 0) await this.#resolve(unresolved);
        // All at once, so a loop's next fetch includes every partition placed together.
        todo.forEach((s, i) => {
          if (s.removed) return;
          s.node = leaders[i].nodeId;
          s.leaderEpoch = leaders[i].leaderEpoch;
          s.preferredUntil = 0;
        });
        for (const node of new Set(leaders.map((l) => l.nodeId))) this.#ensureLoop(node);
      }, {
        attempts: Infinity,
        backoffMin: this.#o.backoffMin,
        backoffMax: this.#o.backoffMax,
        signal,
        // Even errors no retry can fix (reported through onError) are tried again: the
        // reader surfaces them, and the partition is read once they clear up.
        isRetriable: () => !signal.aborted,
        onRetry: (e, attempt) => {
          this.#o.logError(`kafkit: finding leaders to fetch from failed (attempt ${attempt})`, e);
          this.#o.onError?.(e);
          for (const s of unplaced()) this.#o.cluster.invalidate(s.topic);
        },
      });
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }

  /** Sets each state's offset from ListOffsets: its own FirstOffset/LastOffset, or `where`. */
  async #resolve(states: FetchState[], where?: number): Promise<void> {
    const asked = states.map((s) => s.offset);
    const offsets = await listOffsets(
      this.#o.cluster,
      states.map((s) => ({
        topic: s.topic,
        partition: s.partition,
        timestamp: (where ?? s.offset) === LastOffset ? -1 : -2,
      })),
      // One round: #place retries, reporting each failure (a topic still missing, brokers
      // down) as it happens rather than after ten rounds.
      { readCommitted: this.#o.readCommitted, signal: this.#abort.signal, attempts: 1 },
    );
    states.forEach((s, i) => {
      const offset = offsets.get(s.key);
      // Only where nothing moved the offset meanwhile (an overlapping placement resolved it
      // and fetching went on): a late answer must not rewind or skip.
      if (offset !== undefined && !s.removed && s.offset === asked[i]) s.offset = offset;
    });
  }

  #ensureLoop(node: number): void {
    if (this.#nodes.has(node)) return;
    this.#nodes.add(node);
    const loop = this.#loop(node).finally(() => this.#loops.delete(loop));
    this.#loops.add(loop);
  }

  #backoff(attempt: number): number {
    return backoffDelay(attempt, {
      backoffMin: this.#o.backoffMin,
      backoffMax: this.#o.backoffMax,
    });
  }

  async #loop(node: number): Promise<void> {
    // The finally runs in the same tick as the return, so #place never sees a broker
    // whose loop has already decided to stop.
    try {
      const signal = this.#abort.signal;
      let failures = 0;
      /** The next fetch, sent before the last answer was decoded. */
      let ahead: Promise<Fetched> | undefined;
      while (!signal.aborted) {
        let got: Fetched;
        if (ahead) {
          got = await ahead;
          ahead = undefined;
        } else {
          const states = this.#fetchable(node);
          if (states.length === 0) return;
          // A preferred replica is used for a while, then the leader is asked again (KIP-392).
          const expired = states.filter((s) =>
            s.preferredUntil > 0 && s.preferredUntil < Date.now()
          );
          if (expired.length > 0) {
            this.#relocate(expired);
            continue;
          }
          if (this.#full()) {
            await new Promise<void>((resolve) => this.#wakeFetchers.push(resolve));
            continue;
          }
          got = await this.#fetch(node, states.map(asked));
        }
        if (!got.ok) {
          const e = got.error;
          if (signal.aborted) return;
          failures++;
          this.#o.logError(`kafkit: fetch from broker ${node} failed`, e);
          this.#o.onError?.(e);
          // A connection that failed, timed out or sent an answer that does not decode is
          // closed (the broker may be gone, or the leader moved): at once, not after retries.
          if (failsConnection(e) || failures >= 3) {
            // Only this lane: the broker's group and produce connections are not ours.
            this.#o.cluster.brokerFailed(node, "fetch");
            // Every partition on this broker now, not just this fetch's: some may have been
            // placed here while the request was out, and this loop is about to end.
            this.#relocate([...this.#states.values()].filter((s) => s.node === node));
            return;
          }
          await delay(this.#backoff(failures), { signal }).catch(() => {});
          continue;
        }
        failures = 0;
        // The broker works on the next fetch while this answer is decoded.
        ahead = this.#fetchAhead(node, got);
        if (await this.#take(got.res, got.asked, node)) {
          // Partition errors come back at once: do not spin on them.
          await delay(this.#backoff(++failures), { signal }).catch(() => {});
        }
      }
    } finally {
      this.#nodes.delete(node);
    }
  }

  /** The partitions this broker's loop fetches now. */
  #fetchable(node: number): FetchState[] {
    return [...this.#states.values()].filter((s) => s.node === node && s.offset >= 0 && !s.paused);
  }

  /**
   * Sends the fetch that follows `got` before `got` is decoded, from where its batch headers
   * end: only when nothing in it needs handling first (errors, truncations, a replica to
   * move to), no placement is due and the queue has room. Its answer is used for a partition
   * only if decoding `got` moved the partition's offset to exactly there.
   */
  #fetchAhead(
    node: number,
    got: { res: FetchResponse; asked: Map<string, Asked> },
  ): Promise<Fetched> | undefined {
    if (got.res.errorCode !== 0 || this.#full()) return undefined;
    const next = new Map<FetchState, Asked>();
    for (const t of got.res.responses) {
      for (const part of t.partitions) {
        if (
          part.errorCode !== 0 || part.divergingEpoch.epoch >= 0 || part.preferredReadReplica >= 0
        ) return undefined;
        const a = this.#askedFor(got.asked, t, part.partitionIndex);
        // An answer for an offset the partition has left (it went unused) says nothing
        // about where the partition goes on: that fetch starts where the partition is.
        if (!a || a.offset !== a.state.offset) continue;
        const end = fetchedEnd(part.records, a.offset);
        if (!end) return undefined;
        next.set(a.state, {
          state: a.state,
          offset: end.offset,
          lastFetchedEpoch: end.epoch >= 0 ? end.epoch : a.lastFetchedEpoch,
        });
      }
    }
    const states = this.#fetchable(node);
    const now = Date.now();
    if (states.length === 0 || states.some((s) => s.preferredUntil > 0 && s.preferredUntil < now)) {
      return undefined;
    }
    return this.#fetch(node, states.map((s) => next.get(s) ?? asked(s)));
  }

  /** One Fetch on the broker's "fetch" lane (a long-poll delays nothing else); never rejects. */
  async #fetch(node: number, wanted: Asked[]): Promise<Fetched> {
    try {
      const res = await this.#request(node, wanted);
      return { ok: true, res, asked: new Map(wanted.map((a) => [a.state.key, a])) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  async #request(node: number, wanted: Asked[]): Promise<FetchResponse> {
    // A dial in progress (to a silent broker) must not hold close() up.
    const conn = await abortable(this.#o.cluster.connection(node, "fetch"), this.#abort.signal);
    const partitions = [];
    for (const { state: s, offset, lastFetchedEpoch } of wanted) {
      const topicId = (await abortable(this.#o.cluster.topic(s.topic), this.#abort.signal)).id;
      this.#nameTopicId(s.topic, topicId);
      partitions.push({
        topic: s.topic,
        partition: s.partition,
        leaderEpoch: s.leaderEpoch,
        offset,
        lastFetchedEpoch,
        topicId,
      });
    }
    let session = this.#sessions.get(node);
    if (!session) this.#sessions.set(node, session = new FetchSession(this.#o.fetchSessions));
    // A lost session (evicted, epochs out of step) is answered with an error: one full
    // fetch opens a new one at once.
    for (let attempt = 1;; attempt++) {
      const sent = session.next(partitions);
      const res = await conn.request(
        Fetch,
        fetchRequest(sent.partitions, {
          minBytes: this.#o.minBytes,
          maxBytes: this.#o.maxBytes,
          maxWait: this.#o.maxWait,
          readCommitted: this.#o.readCommitted,
          rackId: this.#o.rackId,
        }, sent),
        { signal: this.#abort.signal, timeout: this.#o.fetchTimeout },
      ).catch((e) => {
        session.failed();
        throw e;
      });
      if (session.answered(sent, res.errorCode, res.sessionId) || attempt > 1) return res;
      this.#o.log(
        `kafkit: fetch session ${sent.sessionId} with broker ${node} was lost, opening a new one`,
      );
    }
  }

  /** Queues what a fetch returned and handles partition errors; true if any failed. */
  async #take(res: FetchResponse, asked: Map<string, Asked>, node: number): Promise<boolean> {
    const top = errorForCode(res.errorCode, { api: "Fetch" });
    if (top) {
      this.#o.onError?.(top);
      return true;
    }
    let failed = false;
    const moved: FetchState[] = [];
    const outOfRange: FetchState[] = [];
    for (const t of res.responses) {
      for (const part of t.partitions) {
        const a = this.#askedFor(asked, t, part.partitionIndex);
        const state = a?.state;
        // Skip partitions dropped, re-added or moved to another broker while this was out,
        // and answers from an offset the partition is no longer at (a fetch sent ahead of a
        // decode that failed, a truncation, a reset).
        if (!state || state.removed || state.node !== node || a.offset !== state.offset) continue;
        if (part.divergingEpoch.epoch >= 0) {
          this.#diverged(state, {
            epoch: part.divergingEpoch.epoch,
            endOffset: Number(part.divergingEpoch.endOffset),
          });
          continue;
        }
        const err = errorForCode(part.errorCode, {
          api: "Fetch",
          topic: state.topic,
          partition: state.partition,
        });
        if (err) {
          // A follower may lag behind the leader: ask the leader before resetting.
          if (err.code === ErrorCodes.OFFSET_OUT_OF_RANGE && !state.preferredUntil) {
            outOfRange.push(state);
          } else if (LEADER_MOVED.has(err.code) || err.code === ErrorCodes.OFFSET_OUT_OF_RANGE) {
            moved.push(state);
          } else {
            this.#o.onError?.(err, state);
            failed = true;
          }
          continue;
        }
        if (!await this.#queueMessages(state, part)) failed = true;
        const preferred = part.preferredReadReplica;
        if (preferred >= 0 && preferred !== node && !state.removed) {
          this.#o.log(
            `kafkit: fetching ${state.topic}/${state.partition} from broker ` +
              `${preferred}, the preferred read replica for rack ${this.#o.rackId}`,
          );
          state.node = preferred;
          state.preferredUntil = Date.now() + (this.#o.preferredReplicaMaxAge ?? 300_000);
          this.#ensureLoop(preferred);
        }
      }
    }
    if (outOfRange.length > 0 && await this.#reset(outOfRange)) failed = true;
    if (moved.length > 0) this.#relocate(moved);
    return failed;
  }

  /** Topic names by their current id (Fetch v13+ answers name topics by id only), and back. */
  readonly #topicNames = new Map<string, string>();
  readonly #topicIds = new Map<string, string>();

  /** Records `topic`'s id; an answer naming an id the topic had before is not its. */
  #nameTopicId(topic: string, id: string): void {
    const old = this.#topicIds.get(topic);
    if (old === id) return;
    if (old !== undefined) this.#topicNames.delete(old);
    this.#topicIds.set(topic, id);
    this.#topicNames.set(id, topic);
  }

  /** What a fetch asked of the partition its answer names (topic by name, or by id). */
  #askedFor(
    asked: Map<string, Asked>,
    t: { topic: string; topicId: string },
    partition: number,
  ): Asked | undefined {
    const topic = t.topic !== "" ? t.topic : this.#topicNames.get(t.topicId);
    return topic === undefined ? undefined : asked.get(partitionKey(topic, partition));
  }

  async #queueMessages(
    state: FetchState,
    part: FetchResponse["responses"][number]["partitions"][number],
  ): Promise<boolean> {
    let fetched;
    try {
      fetched = await fetchedMessages(part, state.topic, state.partition, state.offset, {
        readCommitted: this.#o.readCommitted,
        maxBytes: this.#o.maxBytes,
        checkCrcs: this.#o.checkCrcs,
        // A response may take tens of ms to decode: timers, heartbeats and I/O go between.
        yieldToEventLoop: true,
      });
    } catch (e) {
      // Corrupt data stays corrupt: report it; the loop backs off before fetching it again.
      this.#o.onError?.(e, state);
      return false;
    }
    this.#o.onFetch?.(fetched.messages.length, part.records?.length ?? 0);
    if (state.removed) return true;
    state.relocations = 0;
    state.highWaterMark = this.#o.readCommitted
      ? Number(part.lastStableOffset)
      : fetched.highWaterMark;
    state.offset = fetched.endOffset;
    if (fetched.lastEpoch >= 0) state.lastFetchedEpoch = fetched.lastEpoch;
    if (fetched.messages.length > 0) {
      const chunk = { state, messages: fetched.messages, next: 0, wire: part.records?.length ?? 0 };
      // Paused while this fetch was out: held back with the rest.
      if (state.paused) this.#held.set(state.key, [...this.#held.get(state.key) ?? [], chunk]);
      else {
        this.#queue.push(chunk);
        this.#count(chunk, 1);
      }
      state.atEof = false;
      this.#wakeReaders();
      // Partitions that returned data go last in the next request, so one partition's
      // backlog cannot take every response's byte budget (as the Java client rotates).
      this.#states.delete(state.key);
      this.#states.set(state.key, state);
    }
    if (state.offset >= state.highWaterMark && !state.atEof) {
      state.atEof = true;
      this.#o.onEof?.({ topic: state.topic, partition: state.partition }, state.offset);
    }
    return true;
  }

  /**
   * Offsets out of range, as kafka-go handles them: one below the log start starts over where
   * `startOffset` says (oldest, or newest with LastOffset); one past the end (a `setOffset`
   * ahead of the producer, a topic recreated shorter) waits there for the messages to come.
   * True if any is kept, so the loop backs off before fetching it again.
   */
  async #reset(states: FetchState[]): Promise<boolean> {
    const bound = (timestamp: number) =>
      listOffsets(
        this.#o.cluster,
        states.map((s) => ({ topic: s.topic, partition: s.partition, timestamp })),
        { readCommitted: this.#o.readCommitted, signal: this.#abort.signal },
      );
    let starts: Map<string, number>, ends: Map<string, number>;
    try {
      [starts, ends] = await Promise.all([bound(-2), bound(-1)]);
    } catch (e) {
      this.#o.onError?.(e);
      return true;
    }
    const where = this.#o.startOffset === LastOffset ? "newest" : "oldest";
    const below: FetchState[] = [];
    let waiting = false;
    for (const s of states) {
      if (s.removed) continue;
      const start = starts.get(s.key) ?? 0, end = ends.get(s.key) ?? 0;
      if (s.offset < start) {
        this.#o.log(
          `kafkit: offset ${s.offset} of ${s.topic}/${s.partition} is before the log start ` +
            `${start}, resetting to the ${where} offset`,
        );
        below.push(s);
        continue;
      }
      // Past the end, or in range by now (the fetch's broker lagged): fetched again later.
      waiting = true;
      if (s.offset >= end && s.waitingAt !== s.offset) {
        s.waitingAt = s.offset;
        this.#o.log(
          `kafkit: offset ${s.offset} of ${s.topic}/${s.partition} is past the end ${end}, ` +
            `waiting for it`,
        );
      }
    }
    if (below.length === 0) return waiting;
    try {
      await this.#resolve(below, this.#o.startOffset === LastOffset ? LastOffset : FirstOffset);
    } catch (e) {
      this.#o.onError?.(e);
      return true;
    }
    return waiting;
  }

  /** Moves `state` past a truncation `end` shows, if any; an unresolved offset is placed again. */
  #diverged(state: FetchState, end: EpochEnd): void {
    divergedAt(state, end, this.#o);
    if (state.offset < 0 && state.node >= 0) this.#relocate([state]);
  }

  /** Partitions whose leader moved (or whose replica expired): fetch them from the leader. */
  #relocate(states: FetchState[]): void {
    for (const s of states) {
      s.node = -1;
      s.relocations++;
      this.#o.cluster.invalidate(s.topic);
    }
    void this.#place(states, true);
  }
}
