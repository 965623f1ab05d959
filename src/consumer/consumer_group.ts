/**
 * kafka-go's low-level group API: a `ConsumerGroup` hands out `Generation`s, each a stable
 * period of partition ownership, with the committed offsets to start from. Work started on a
 * generation gets an `AbortSignal` that fires when the generation ends; the next generation
 * is handed out only after that work has returned.
 *
 * @module
 */
import { rejectUnknownOptions, SIGNAL_ONLY } from "../config.ts";
import { Cluster } from "../cluster/cluster.ts";
import { clientLog } from "../log.ts";
import { abortable } from "../_async/abortable.ts";
import { withinGrace } from "../_async/delay.ts";
import { KafkitError } from "../errors.ts";
import { partitionKey, type PartitionOffset } from "../offsets.ts";
import { ClassicMembership } from "./_classic_membership.ts";
import { ConsumerProtocolMembership } from "./_kip848_membership.ts";
import { type ConsumerGroupConfig, resolveGroupConfig } from "./_group_config.ts";

export type { ConsumerGroupConfig };
import type { GroupMembership, MembershipOptions } from "./_membership.ts";
import { fetchOffsets } from "./_offsets.ts";

/** Where a partition starts in a generation (kafka-go's `PartitionAssignment`). */
export interface PartitionAssignmentOffset {
  /** The partition. */
  id: number;
  /** The committed offset, or FirstOffset/LastOffset when nothing is committed. */
  offset: number;
}

/** The group was closed. */
export class GroupClosedError extends KafkitError {
  /** Creates the error. */
  constructor() {
    super("the consumer group is closed");
  }
}

/** A generation's work was asked to stop, or a commit came after it ended. Retriable. */
export class GenerationEndedError extends KafkitError {
  /** Creates the error. */
  constructor() {
    super("the generation ended", true);
  }
}

/** One period of stable partition ownership (kafka-go's `Generation`). */
export class Generation {
  /** The classic generation id, or the KIP-848 member epoch. */
  readonly id: number;
  /** The group's id. */
  readonly groupId: string;
  /** This member's id, given by the coordinator. */
  readonly memberId: string;
  /** Topic → the partitions owned in this generation and where to start. */
  readonly assignments: ReadonlyMap<string, readonly PartitionAssignmentOffset[]>;
  readonly #abort = new AbortController();
  readonly #work: Promise<void>[] = [];
  #over = false;
  readonly #membership: GroupMembership;
  readonly #logError: (message: string, error: unknown) => void;

  /** Made by {@linkcode ConsumerGroup}. */
  constructor(
    membership: GroupMembership,
    groupId: string,
    assignments: Map<string, PartitionAssignmentOffset[]>,
    logError: (message: string, error: unknown) => void,
  ) {
    this.#logError = logError;
    this.id = membership.generationId;
    this.groupId = groupId;
    this.memberId = membership.memberId;
    this.assignments = assignments;
    this.#membership = membership;
  }

  /** Aborts when the generation ends (a rebalance, or the group closing). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /**
   * Runs `fn` for this generation. When the generation ends its signal aborts, and the group
   * waits for `fn` to return before the member rejoins. Errors `fn` throws are logged.
   */
  start(fn: (signal: AbortSignal) => void | Promise<void>): void {
    if (this.#abort.signal.aborted) return;
    this.#work.push(
      (async () => await fn(this.#abort.signal))().catch((e) => {
        this.#logError(`kafkit: group ${this.groupId}: generation ${this.id} work failed`, e);
      }),
    );
  }

  /**
   * Commits offsets (topic → partition → next offset to read) as this generation: allowed
   * until the work started on it has returned (so it can commit as its signal aborts), then
   * a `GenerationEndedError`; the broker refuses it too once the group has moved on.
   */
  async commitOffsets(
    offsets: ReadonlyMap<string, ReadonlyMap<number, number>>,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    rejectUnknownOptions("Generation.commitOffsets", options, SIGNAL_ONLY);
    if (this.#over) throw new GenerationEndedError();
    const list: PartitionOffset[] = [];
    for (const [topic, parts] of offsets) {
      for (const [partition, offset] of parts) list.push({ topic, partition, offset });
    }
    await this.#membership.commit(list, options.signal, this.id);
  }

  /** Ends the generation and waits for the work started on it. */
  async end(): Promise<void> {
    this.#abort.abort(new GenerationEndedError());
    await Promise.all(this.#work);
    this.#over = true;
  }
}

/**
 * Membership in a consumer group, one generation at a time (kafka-go's `ConsumerGroup`).
 *
 * @example
 * ```ts
 * import { ConsumerGroup } from "@kafkit/kafkit";
 * const group = new ConsumerGroup({ id: "g", brokers: ["localhost:9092"], topics: ["t"] });
 * const gen = await group.next();
 * for (const [topic, partitions] of gen.assignments) {
 *   for (const p of partitions) {
 *     gen.start(async (signal) => {
 *       // read topic/p.id from p.offset until signal aborts, then commit:
 *       await gen.commitOffsets(new Map([[topic, new Map([[p.id, p.offset]])]]));
 *     });
 *   }
 * }
 * ```
 */
export class ConsumerGroup implements AsyncDisposable {
  readonly #id: string;
  readonly #cluster: Cluster;
  /** Whether the cluster is the group's own (closed with it) or shared. */
  readonly #ownCluster: boolean;
  readonly #membership: GroupMembership;
  readonly #startOffset: number;
  readonly #closeTimeout: number;
  readonly #stop = new AbortController();
  readonly #running: Promise<void>;
  readonly #ready: Generation[] = [];
  readonly #waiting = new Set<() => void>();
  #current: Generation | undefined;
  #failure: unknown;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #logError: (message: string, error: unknown) => void;

  /** Creates the group member and starts joining. */
  constructor(config: ConsumerGroupConfig) {
    const c = resolveGroupConfig(config);
    this.#id = c.id;
    this.#startOffset = c.startOffset;
    this.#closeTimeout = c.closeTimeout;
    this.#ownCluster = !(c.cluster instanceof Cluster);
    const log = clientLog(config, c.cluster instanceof Cluster ? c.cluster : undefined);
    this.#cluster = c.cluster instanceof Cluster
      ? c.cluster
      : new Cluster({ ...c.cluster, log: log.logger });
    this.#logError = (message, error) => log.warn(message, { error });
    const options: MembershipOptions = {
      cluster: this.#cluster,
      groupId: c.id,
      topics: c.topics,
      groupInstanceId: config.groupInstanceId ?? null,
      sessionTimeout: c.sessionTimeout,
      rebalanceTimeout: c.rebalanceTimeout,
      heartbeatInterval: c.heartbeatInterval,
      rackId: config.rackId ?? null,
      retentionTime: c.retentionTime,
      joinGroupBackoff: c.joinGroupBackoff,
      partitionWatchInterval: c.partitionWatchInterval,
      log: (message) => log.info(message),
      logError: this.#logError,
    };
    this.#membership = c.groupProtocol === "consumer"
      ? new ConsumerProtocolMembership(options, { serverAssignor: config.groupRemoteAssignor })
      : new ClassicMembership(options, c.groupBalancers);
    this.#running = this.#membership.run({
      assigned: (ps) => this.#changed(ps.length > 0),
      revoked: () => this.#endCurrent(),
      lost: () => this.#endCurrent(),
    }, this.#stop.signal).catch((e) => {
      this.#failure = e;
    }).finally(() => this.#wake());
  }

  /** The next generation; waits for the group to (re)balance. */
  async next(options: { signal?: AbortSignal } = {}): Promise<Generation> {
    rejectUnknownOptions("ConsumerGroup.next", options, SIGNAL_ONLY);
    for (;;) {
      if (this.#closed) throw new GroupClosedError();
      if (this.#failure) throw this.#failure;
      const gen = this.#ready.shift();
      if (gen) return gen;
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => this.#waiting.add(wake = resolve));
      try {
        await abortable(woken, options.signal);
      } finally {
        this.#waiting.delete(wake);
      }
    }
  }

  /**
   * Stops the member: waiting and later `next()` calls reject with `GroupClosedError`. The
   * current generation ends (its work is waited for, so it can commit), the partitions are
   * given up and the member leaves the group, for at most `closeTimeout` (default 5 s) or
   * until `signal` aborts; then the rest is given up and the group's own connections are
   * closed, so close() returns promptly whatever state the brokers are in (mid-rebalance,
   * unreachable). Calling it again returns the same promise.
   */
  close(options: { signal?: AbortSignal } = {}): Promise<void> {
    try {
      rejectUnknownOptions("ConsumerGroup.close", options, SIGNAL_ONLY);
    } catch (e) {
      return Promise.reject(e);
    }
    this.#closing ??= this.#close(options.signal);
    return this.#closing;
  }

  async #close(signal: AbortSignal | undefined): Promise<void> {
    this.#closed = true;
    this.#stop.abort(new GroupClosedError());
    this.#wake();
    const graceful = (async () => {
      await this.#running;
      await this.#endCurrent();
    })();
    try {
      await withinGrace(graceful, this.#closeTimeout, signal);
    } finally {
      // Past the grace, closing the core fails whatever still waits on it (a JoinGroup held
      // by the broker, a LeaveGroup, an offset fetch).
      if (this.#ownCluster) await this.#cluster.close();
    }
  }

  /** Closes the group (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #wake(): void {
    for (const wake of [...this.#waiting]) wake();
  }

  async #endCurrent(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    await current?.end();
  }

  /** After a sync: a new generation when ownership changed (or none is running). */
  async #changed(gained: boolean): Promise<void> {
    if (this.#current && !gained) return;
    await this.#endCurrent();
    const owned = this.#membership.owned;
    const committed = await fetchOffsets(this.#cluster, this.#id, owned, {
      memberId: this.#membership.memberId,
      memberEpoch: this.#membership.generationId,
      signal: this.#stop.signal,
    });
    const assignments = new Map<string, PartitionAssignmentOffset[]>();
    for (const p of owned) {
      const c = committed.get(partitionKey(p.topic, p.partition));
      const list = assignments.get(p.topic) ?? [];
      list.push({ id: p.partition, offset: c && c.offset >= 0 ? c.offset : this.#startOffset });
      assignments.set(p.topic, list);
    }
    const gen = new Generation(this.#membership, this.#id, assignments, this.#logError);
    this.#current = gen;
    this.#ready.length = 0;
    this.#ready.push(gen);
    this.#wake();
  }
}
