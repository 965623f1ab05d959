// What a client core's connections did, counted in one place: dials (and their time), request
// timeouts, requests per API (count, failures, latency) and metadata refreshes. The core's
// own counters hear all of it, record it to the telemetry's meter and back `Cluster.stats()`;
// each Writer and Reader gives counters of its own to `Cluster.observe` (which tells the
// connection events only), so the dials, dialTime and timeouts of its stats are the core's
// since that client's last `stats()`: with a shared core, every client counts the core's.

import { accumulate, type Summary, SummaryCounter } from "../producer/_stats.ts";
import { errorType, type Telemetry } from "../telemetry.ts";
import type { RequestDone } from "../transport/connection.ts";
import type { PoolEvents } from "./_pool.ts";

/** The connection counters of `WriterStats` and `ReaderStats` (also in their `totals`). */
export interface ConnectionTotals {
  /** Dials to brokers, connected or not. */
  dials: number;
  /** Requests that got no answer in time (each closes its connection). */
  timeouts: number;
}

/**
 * The connection fields of `WriterStats`, `ReaderStats` and `ClusterStats`, counted since the
 * last call.
 */
export interface ConnectionStats extends ConnectionTotals {
  /** How long dials took, in ms. */
  dialTime: Summary;
}

/** The requests of one API since the last `stats()`. */
export interface ApiStats {
  /** Requests answered or failed. */
  requests: number;
  /** Of which failed (no answer: timeout, closed connection, abort). */
  errors: number;
  /** Time from sending to the answer (or failure), in ms. */
  latency: Summary;
}

/** What `Cluster.stats()` returns. */
export interface ClusterStats extends ConnectionStats {
  /** Broker connections open or being dialed, now. */
  connections: number;
  /** Requests sent and not yet answered, now. */
  requestsInFlight: number;
  /** Metadata requests since the last call. */
  metadataRefreshes: number;
  /** Requests since the last call, per API name (`Produce`, `Fetch`, ...). */
  requests: Record<string, ApiStats>;
}

/** What {@linkcode ConnectionCounters.take} returns. */
export interface Counted {
  /** The connection counts since the last take. */
  window: ConnectionStats;
  /** The connection counts since the counters were created. */
  totals: ConnectionTotals;
  /** Metadata requests since the last take. */
  metadataRefreshes: number;
  /** Requests since the last take, per API name. */
  requests: Record<string, ApiStats>;
}

interface ApiCounter {
  requests: number;
  errors: number;
  latency: SummaryCounter;
}

/** Counts a core's connection events until read, recording them to `telemetry` if given. */
export class ConnectionCounters implements PoolEvents {
  readonly #telemetry: Telemetry | undefined;
  #dials = 0;
  #timeouts = 0;
  readonly #dialTime = new SummaryCounter();
  readonly #totals: ConnectionTotals = { dials: 0, timeouts: 0 };
  #metadataRefreshes = 0;
  readonly #apis = new Map<string, ApiCounter>();

  constructor(telemetry?: Telemetry) {
    this.#telemetry = telemetry;
  }

  /** A dial ended after `ms`, connected or not. */
  dialed(ms: number): void {
    this.#dials++;
    this.#dialTime.observe(ms);
  }

  /** A connection closed because a request on it timed out. */
  timedOut(): void {
    this.#timeouts++;
  }

  /** A request ended. */
  requestDone({ api, address, ms, error }: RequestDone): void {
    let c = this.#apis.get(api);
    if (!c) this.#apis.set(api, c = { requests: 0, errors: 0, latency: new SummaryCounter() });
    c.requests++;
    if (error !== undefined) c.errors++;
    c.latency.observe(ms);
    if (this.#telemetry) {
      const attrs: Record<string, string> = {
        "messaging.system": "kafka",
        "kafka.api.name": api,
        "server.address": address,
      };
      if (error !== undefined) {
        attrs["error.type"] = error instanceof Error ? errorType(error) : "unknown";
      }
      this.#telemetry.instruments.requestDuration.record(ms / 1000, attrs);
    }
  }

  /** A metadata request is being made. */
  metadataRefreshed(): void {
    this.#metadataRefreshes++;
    this.#telemetry?.instruments.metadataRefreshes.add(1, { "messaging.system": "kafka" });
  }

  /** The counts since the last take, and the connection totals since creation; then starts over. */
  take(): Counted {
    const counts = { dials: this.#dials, timeouts: this.#timeouts };
    const requests: Record<string, ApiStats> = {};
    for (const [api, c] of this.#apis) {
      requests[api] = { requests: c.requests, errors: c.errors, latency: c.latency.take() };
    }
    const counted = {
      window: { ...counts, dialTime: this.#dialTime.take() },
      totals: accumulate(this.#totals, counts),
      metadataRefreshes: this.#metadataRefreshes,
      requests,
    };
    this.#dials = this.#timeouts = this.#metadataRefreshes = 0;
    this.#apis.clear();
    return counted;
  }
}
