// What the client core counts for `Cluster.stats()` and its metrics: requests per API and
// metadata refreshes, reset each time they are read (as the Writer's and Reader's are).

import { type Summary, SummaryCounter } from "../_summary.ts";
import type { Telemetry } from "../telemetry.ts";
import type { RequestDone } from "../transport/connection.ts";
import { errorType } from "../telemetry.ts";

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
export interface ClusterStats {
  /** Broker connections open or being dialed, now. */
  connections: number;
  /** Requests sent and not yet answered, now. */
  requestsInFlight: number;
  /** Metadata requests since the last call. */
  metadataRefreshes: number;
  /** Requests since the last call, per API name (`Produce`, `Fetch`, ...). */
  requests: Record<string, ApiStats>;
}

interface ApiCounter {
  requests: number;
  errors: number;
  latency: SummaryCounter;
}

/** Counts the core's requests, and records them to the telemetry's meter if any. */
export class ClusterCounters {
  readonly #apis = new Map<string, ApiCounter>();
  readonly #telemetry: Telemetry | undefined;
  metadataRefreshes = 0;

  constructor(telemetry: Telemetry | undefined) {
    this.#telemetry = telemetry;
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
    this.metadataRefreshes++;
    this.#telemetry?.instruments.metadataRefreshes.add(1, { "messaging.system": "kafka" });
  }

  /** The counts since the last call, with the current load; then starts over. */
  take(load: { connections: number; inFlight: number }): ClusterStats {
    const requests: Record<string, ApiStats> = {};
    for (const [api, c] of this.#apis) {
      requests[api] = { requests: c.requests, errors: c.errors, latency: c.latency.take() };
    }
    this.#apis.clear();
    const stats = {
      connections: load.connections,
      requestsInFlight: load.inFlight,
      metadataRefreshes: this.metadataRefreshes,
      requests,
    };
    this.metadataRefreshes = 0;
    return stats;
  }
}
