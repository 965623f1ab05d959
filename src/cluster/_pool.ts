/**
 * Connections per broker and lane: dialed lazily, redialed once closed, closed when found
 * idle (no timer keeps a process alive), and failed brokers avoided for a while. A request
 * that times out makes its broker suspect: its connections without a request in flight are
 * closed too, so the next request dials instead of finding out the same way.
 *
 * @module
 */

import { ConnectionError, TimeoutError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";

/**
 * Which connection to a broker a request takes. A broker answers the requests of one
 * connection in order, so traffic that waits (a long-poll Fetch, a slow admin call) gets a
 * lane of its own and never delays heartbeats, commits or produce.
 */
export type Lane = "default" | "produce" | "fetch" | "group" | "admin";

/**
 * A pool key's lane part: a lane, or the group lane of one group id — a JoinGroup the broker
 * holds during a rebalance must not delay the heartbeats of other groups sharing the core.
 */
export type PoolLane = Lane | `group:${string}`;

/** Opens a connection to `address` (`host:port`); `signal` abandons the dial. */
export type Opener = (address: string, signal: AbortSignal) => Promise<Connection>;

/** What a pool tells about its connections (the clients' `dials`, `dialTime`, `timeouts`). */
export interface PoolEvents {
  /** A dial ended after `ms`, connected or not. */
  dialed(ms: number): void;
  /** A connection closed because a request on it timed out. */
  timedOut(): void;
  /**
   * A dial failed (refused, unresolved, timed out, TLS or SASL), as it fails and before any
   * retry: how the clients' `onError` hears of an unreachable cluster at once.
   */
  dialFailed?(error: Error, address: string): void;
}

interface Pooled {
  conn: Promise<Connection>;
  /** The connection once it is up. */
  open?: Connection;
  /** `host:port`: bootstrap entries and the broker they turn out to be share it. */
  address: string;
  lastUsed: number;
}

/** Failed dials in a row to one address, and the last failure. */
interface DialFailures {
  count: number;
  error: Error;
}

/** A pool of broker connections. */
export class ConnectionPool {
  readonly #open: Opener;
  readonly #events: PoolEvents;
  readonly #idleTimeout: number;
  readonly #deadBrokerBackoff: number;
  readonly #pool = new Map<string, Pooled>();
  readonly #deadUntil = new Map<number, number>();
  /** Per address: the dials that failed since the last one that worked. */
  readonly #dialFailures = new Map<string, DialFailures>();
  /** Aborts dials in progress when the pool closes. */
  readonly #closing = new AbortController();
  #lastSweep = Date.now();
  #closed = false;

  constructor(open: Opener, events: PoolEvents, idleTimeout: number, deadBrokerBackoff: number) {
    this.#open = open;
    this.#events = events;
    this.#idleTimeout = idleTimeout;
    this.#deadBrokerBackoff = deadBrokerBackoff;
  }

  /** The connection to `nodeId` at `address` on `lane`, dialed if needed. */
  get(nodeId: number, address: string, lane: PoolLane): Promise<Connection> {
    if (this.#closed) return Promise.reject(new ConnectionError("the cluster client is closed"));
    this.#sweepIdle();
    const key = `${nodeId}/${lane}`;
    const pooled = this.#pool.get(key);
    if (pooled) {
      pooled.lastUsed = Date.now();
      return pooled.conn.then((c) => {
        if (!c.closed) return c;
        // Several callers may find it closed: only the first redials, the others take that one
        // (two live connections would break the order of a broker's requests).
        if (this.#pool.get(key) === pooled) return this.#redial(key, nodeId, address);
        return this.get(nodeId, address, lane);
      });
    }
    return this.#redial(key, nodeId, address);
  }

  #redial(key: string, nodeId: number, address: string): Promise<Connection> {
    const started = Date.now();
    const conn = this.#open(address, this.#closing.signal);
    const pooled: Pooled = { conn, address, lastUsed: started };
    this.#pool.set(key, pooled);
    conn.then((c) => {
      this.#events.dialed(Date.now() - started);
      this.#dialFailures.delete(address);
      pooled.open = c;
      void c.whenClosed.then((reason) => {
        if (!(reason.cause instanceof TimeoutError)) return;
        this.#events.timedOut();
        // Lookups that may go anywhere (metadata, FindCoordinator) try other brokers first.
        this.markDead(nodeId);
        this.#closeIdle(address);
      });
    }, (e) => {
      this.#events.dialed(Date.now() - started);
      this.markDead(nodeId);
      if (this.#pool.get(key)?.conn === conn) this.#pool.delete(key);
      if (this.#closed) return;
      const error = e instanceof Error ? e : new ConnectionError(String(e), { address });
      const failures = this.#dialFailures.get(address);
      this.#dialFailures.set(address, { count: (failures?.count ?? 0) + 1, error });
      this.#events.dialFailed?.(error, address);
    });
    return conn;
  }

  /**
   * The last dial failure when none of `addresses` can be reached: no connection is open and
   * each address failed its last `attempts` dials (or more) in a row; undefined otherwise.
   */
  unreachable(addresses: Iterable<string>, attempts: number): Error | undefined {
    for (const p of this.#pool.values()) if (p.open && !p.open.closed) return undefined;
    let last: Error | undefined;
    for (const address of addresses) {
      const failures = this.#dialFailures.get(address);
      if (!failures || failures.count < attempts) return undefined;
      last = failures.error;
    }
    return last;
  }

  /**
   * Closes the connections to `address` that wait for nothing, after one of its requests
   * timed out: a broker gone without a word (a dead host, a NAT or load balancer that
   * dropped the flows) leaves every connection to it half-open, and a redial is cheaper than
   * a request timeout. Those with requests in flight time out on their own, or answer.
   */
  #closeIdle(address: string): void {
    for (const [key, p] of this.#pool) {
      if (p.address === address && p.open?.idle) {
        this.#pool.delete(key);
        p.open.close();
      }
    }
  }

  /** Whether a connection to `nodeId` is open or being dialed, on any lane. */
  has(nodeId: number): boolean {
    for (const key of this.#pool.keys()) if (key.startsWith(`${nodeId}/`)) return true;
    return false;
  }

  /** Connections open or being dialed, and the requests they have in flight, now. */
  load(): { connections: number; inFlight: number } {
    let inFlight = 0;
    for (const p of this.#pool.values()) inFlight += p.open?.inFlight ?? 0;
    return { connections: this.#pool.size, inFlight };
  }

  /** Whether `nodeId` failed within the dead-broker backoff. */
  isDead(nodeId: number, now: number = Date.now()): boolean {
    return (this.#deadUntil.get(nodeId) ?? 0) > now;
  }

  /** Avoid `nodeId` for a while (after it failed). */
  markDead(nodeId: number): void {
    this.#deadUntil.set(nodeId, Date.now() + this.#deadBrokerBackoff);
  }

  /** Closes the connection(s) to `nodeId`: one lane, or all of them. */
  drop(nodeId: number, lane?: PoolLane): void {
    for (const [key, pooled] of this.#pool) {
      if (lane === undefined ? key.startsWith(`${nodeId}/`) : key === `${nodeId}/${lane}`) {
        this.#pool.delete(key);
        pooled.conn.then((c) => c.close(), () => {});
      }
    }
  }

  /**
   * Closes connections unused for `idleTimeout`. Runs as connections are asked for, not on a
   * timer, so an idle client holds no timer that would keep a process alive.
   */
  #sweepIdle(): void {
    const now = Date.now();
    if (now - this.#lastSweep < Math.min(this.#idleTimeout, 10_000)) return;
    this.#lastSweep = now;
    for (const [key, p] of this.#pool) {
      if (p.lastUsed < now - this.#idleTimeout) {
        this.#pool.delete(key);
        p.conn.then((c) => c.close(), () => {});
      }
    }
  }

  /** Closes every connection and abandons dials in progress; later `get` calls fail. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort(new ConnectionError("the cluster client is closed"));
    const conns = [...this.#pool.values()].map((p) => p.conn);
    this.#pool.clear();
    await Promise.all(conns.map((c) => c.then((conn) => conn.close(), () => {})));
  }
}
