// Mixed consumer groups: kafkit Readers and the Java client's VerifiableConsumer share one group
// over a 6-partition topic, with each classic assignor and with the KIP-848 consumer protocol.
//
// Each case runs two phases, so that each client leads a classic group once:
// 1. A Java consumer owns every partition and reads (and commits) 300 messages alone; two kafkit
//    readers join, the Java consumer leads the rebalance; 300 more messages.
// 2. That Java consumer leaves, the readers split its partitions (one of them leads now), a second
//    Java consumer joins; 600 more messages.
// Each phase must settle on exactly the 6 partitions, each owned by one member, every member
// owning some, in the assignor's shape; every message is consumed at least once, each member
// reads its share, and each client starts where the other committed.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CooperativeStickyGroupBalancer,
  dial,
  type GroupBalancer,
  RangeGroupBalancer,
  Reader,
  RoundRobinGroupBalancer,
  Writer,
} from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { spawnJavaTool } from "../_java.ts";
import { eachLine } from "../_lines.ts";

const PARTITIONS = 6;
/** Messages per phase: 100 per partition. */
const N = 600;

const dec = new TextDecoder();
const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const unique = (name: string) =>
  `kafkit-ginterop-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createTopic(topic: string): Promise<void> {
  await using conn = await dial(brokers()[0]);
  await conn.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
}

/**
 * Writes messages `from` … `from + count - 1`, message i to partition i % 6 with value `i`, so
 * the record at offset o of partition p carries `o * 6 + p`.
 */
async function produce(topic: string, from: number, count: number): Promise<void> {
  await using w = new Writer({ brokers: brokers(), topic });
  await w.writeMessages(
    Array.from({ length: count }, (_, k) => ({
      partition: (from + k) % PARTITIONS,
      value: String(from + k),
    })),
  );
}

/** Offsets consumed per partition, across members. */
class Consumed {
  readonly #seen = Array.from({ length: PARTITIONS }, () => new Set<number>());
  add(partition: number, first: number, last: number): void {
    for (let o = first; o <= last; o++) this.#seen[partition].add(o);
  }
  /** Every offset below `end` of every partition was consumed. */
  covers(end: number): boolean {
    return this.#seen.every((s) => {
      for (let o = 0; o < end; o++) if (!s.has(o)) return false;
      return true;
    });
  }
  missing(end: number): string {
    return this.#seen.map((s, p) => {
      let n = 0;
      for (let o = 0; o < end; o++) if (!s.has(o)) n++;
      return `p${p}:${n}`;
    }).join(" ");
  }
}

interface Member {
  readonly name: string;
  /** The partitions of the topic it owns now, sorted. */
  owned(): number[];
  /** Records it consumed. */
  count: number;
  /** The first offset it read per partition. */
  readonly firstOffsets: Map<number, number>;
  diagnostics(): string;
}

/** A VerifiableConsumer whose JSON events keep its ownership and consumption up to date. */
class JavaMember implements Member {
  readonly name: string;
  count = 0;
  readonly firstOffsets = new Map<number, number>();
  readonly #topic: string;
  readonly #owned = new Set<number>();
  readonly #events: string[] = [];
  #stderr = "";
  readonly #child: ReturnType<typeof spawnJavaTool>;
  readonly exited: Promise<void>;
  #exitCode: number | null | undefined;

  constructor(
    name: string,
    topic: string,
    groupId: string,
    protocol: Protocol,
    consumed: Consumed,
  ) {
    this.name = name;
    this.#topic = topic;
    const args = [
      "--bootstrap-server",
      brokers().join(","),
      "--topic",
      topic,
      "--group-id",
      groupId,
      "--reset-policy",
      "earliest",
      ...(protocol.java === "consumer"
        ? ["--group-protocol", "consumer"]
        : ["--group-protocol", "classic", "--assignment-strategy", protocol.java]),
    ];
    this.#child = spawnJavaTool("org.apache.kafka.tools.VerifiableConsumer", args);
    this.exited = new Promise((resolve) => {
      this.#child.on("exit", (code, signal) => {
        this.#exitCode = code ?? (signal ? -1 : null);
        resolve();
      });
      this.#child.on("error", (e) => {
        this.#stderr += `spawn error: ${e}\n`;
        this.#exitCode = -1;
        resolve();
      });
    });
    eachLine(this.#child.stdout, (line) => {
      if (line.trim()) this.#event(line.trim(), consumed);
    });
    this.#child.stderr.setEncoding("utf8");
    this.#child.stderr.on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
  }

  #event(line: string, consumed: Consumed): void {
    let e: {
      name?: string;
      partitions?: {
        topic: string;
        partition: number;
        count?: number;
        minOffset?: number;
        maxOffset?: number;
      }[];
    };
    try {
      e = JSON.parse(line);
    } catch {
      this.#events.push(`(not JSON) ${line}`);
      return;
    }
    if (e.name !== "records_consumed") this.#events.push(line);
    const mine = (e.partitions ?? []).filter((p) => p.topic === this.#topic);
    switch (e.name) {
      // Applied as deltas: eager rebalances revoke everything first, cooperative ones and the
      // consumer protocol report only what changed.
      case "partitions_assigned":
        for (const p of mine) this.#owned.add(p.partition);
        break;
      case "partitions_revoked":
      case "partitions_lost":
        for (const p of mine) this.#owned.delete(p.partition);
        break;
      case "records_consumed":
        for (const p of mine) {
          // A poll's records of one partition are contiguous (no transactions, no compaction).
          consumed.add(p.partition, p.minOffset!, p.maxOffset!);
          if (!this.firstOffsets.has(p.partition)) this.firstOffsets.set(p.partition, p.minOffset!);
          this.count += p.count!;
        }
        break;
    }
  }

  owned(): number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  /** SIGTERM (its shutdown hook closes the consumer, which leaves the group), then SIGKILL. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.#child.kill("SIGTERM");
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  diagnostics(): string {
    return `${this.name}: owns [${this.owned()}], consumed ${this.count}, ` +
      `exit ${this.#exitCode}\n  events: ${this.#events.slice(-8).join("\n    ")}` +
      (this.#stderr ? `\n  stderr: ${this.#stderr.slice(-1500)}` : "");
  }
}

/** A kafkit group Reader reading in the background until stopped. */
class KafkitMember implements Member {
  readonly name: string;
  readonly reader: Reader;
  count = 0;
  readonly firstOffsets = new Map<number, number>();
  readonly errors: string[] = [];
  readonly #stop = new AbortController();
  readonly #done: Promise<void>;

  constructor(
    name: string,
    topic: string,
    groupId: string,
    protocol: Protocol,
    consumed: Consumed,
  ) {
    this.name = name;
    const reader = new Reader({
      brokers: brokers(),
      topic,
      groupId,
      groupProtocol: protocol.kafkit === "consumer" ? "consumer" : "classic",
      groupBalancers: protocol.kafkit === "consumer" ? undefined : [protocol.kafkit()],
      heartbeatInterval: 1_000,
      errorLogger: (m) => this.#error(m),
    });
    this.reader = reader;
    this.#done = (async () => {
      const signal = this.#stop.signal;
      while (!signal.aborted) {
        try {
          const m = await reader.readMessage({ signal });
          const value = dec.decode(m.value!);
          const expected = String(m.offset * PARTITIONS + m.partition);
          if (value !== expected) {
            this.#error(`${m.partition}@${m.offset} has value ${value}, expected ${expected}`);
          }
          consumed.add(m.partition, m.offset, m.offset);
          if (!this.firstOffsets.has(m.partition)) this.firstOffsets.set(m.partition, m.offset);
          this.count++;
        } catch (e) {
          if (signal.aborted) return;
          // A commit refused during a rebalance: the message is read again by its next owner.
          this.#error(`readMessage: ${e instanceof Error ? `${e.name}: ${e.message}` : e}`);
          await sleep(100);
        }
      }
    })();
  }

  #error(message: string): void {
    if (this.errors.length < 50) this.errors.push(message);
  }

  owned(): number[] {
    return this.reader.assignments.map((p) => p.partition).sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#done;
    await this.reader.close();
  }

  diagnostics(): string {
    return `${this.name}: owns [${this.owned()}], consumed ${this.count}` +
      (this.errors.length ? `\n  errors: ${this.errors.slice(-10).join("\n    ")}` : "");
  }
}

interface Protocol {
  label: string;
  /** The Java assignor class, or `consumer` for KIP-848. */
  java: string;
  kafkit: (() => GroupBalancer) | "consumer";
  /** Whether a member's final partitions have the assignor's shape (sorted, 2 of 6 each). */
  shape: (owned: number[]) => boolean;
}

const twoEach = (owned: number[]) => owned.length === 2;

const PROTOCOLS: Protocol[] = [
  {
    label: "classic, range",
    java: "org.apache.kafka.clients.consumer.RangeAssignor",
    kafkit: () => new RangeGroupBalancer(),
    // Consecutive pairs: [0,1] [2,3] [4,5].
    shape: (o) => twoEach(o) && o[0] % 2 === 0 && o[1] === o[0] + 1,
  },
  {
    label: "classic, roundrobin",
    java: "org.apache.kafka.clients.consumer.RoundRobinAssignor",
    kafkit: () => new RoundRobinGroupBalancer(),
    // Every third partition: [0,3] [1,4] [2,5].
    shape: (o) => twoEach(o) && o[1] === o[0] + 3,
  },
  {
    label: "classic, cooperative-sticky",
    java: "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
    kafkit: () => new CooperativeStickyGroupBalancer(),
    shape: twoEach,
  },
  {
    label: "consumer protocol (KIP-848), server assignor",
    java: "consumer",
    kafkit: "consumer",
    shape: twoEach,
  },
];

/** Owner of each partition per member; problems with the split, if any. */
function splitProblems(members: readonly Member[]): string[] {
  const owners = new Map<number, string[]>();
  const problems: string[] = [];
  for (const m of members) {
    const owned = m.owned();
    if (owned.length === 0) problems.push(`${m.name} owns nothing`);
    for (const p of owned) owners.set(p, [...owners.get(p) ?? [], m.name]);
  }
  for (let p = 0; p < PARTITIONS; p++) {
    const o = owners.get(p) ?? [];
    if (o.length !== 1) problems.push(`partition ${p} owned by [${o}]`);
  }
  for (const p of owners.keys()) {
    if (p < 0 || p >= PARTITIONS) problems.push(`unknown partition ${p}`);
  }
  return problems;
}

/** Waits until `done` holds; the error lists every member's state. */
async function settle(
  what: string,
  members: readonly Member[],
  done: () => boolean,
  ms = 40_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}\n${members.map((m) => m.diagnostics()).join("\n")}`,
      );
    }
    await sleep(100);
  }
}

/** The settled split is exact, exclusive and in the assignor's shape. */
function assertSplit(phase: string, members: readonly Member[], protocol: Protocol): void {
  const state = members.map((m) => m.diagnostics()).join("\n");
  assert.deepEqual(splitProblems(members), [], `${phase}:\n${state}`);
  for (const m of members) {
    assert.ok(
      protocol.shape(m.owned()),
      `${phase}: ${m.name}'s partitions [${m.owned()}]\n${state}`,
    );
  }
}

describe(`mixed consumer groups of kafkit readers and the Java client (${RUNTIME})`, () => {
  for (const protocol of PROTOCOLS) {
    test(protocol.label, async () => {
      const topic = unique("t");
      const groupId = unique("g");
      await createTopic(topic);
      const consumed = new Consumed();
      const java1 = new JavaMember("java-1", topic, groupId, protocol, consumed);
      let java2: JavaMember | undefined;
      const readers: KafkitMember[] = [];
      const perPartition = N / PARTITIONS;
      try {
        // Phase 1: the Java consumer owns every partition and reads (and commits) the first
        // half alone; then the readers join, and it leads the rebalance.
        await settle("java-1 to own all 6 partitions", [java1], () => java1.owned().length === 6);
        await produce(topic, 0, N / 2);
        await settle("java-1 to read the first half", [java1], () => java1.count >= N / 2);
        readers.push(new KafkitMember("kafkit-a", topic, groupId, protocol, consumed));
        readers.push(new KafkitMember("kafkit-b", topic, groupId, protocol, consumed));
        const phase1 = [java1, ...readers];
        await settle("phase 1: a 3-way split", phase1, () => splitProblems(phase1).length === 0);
        const before1 = phase1.map((m) => m.count);
        await produce(topic, N / 2, N / 2);
        await settle(
          "phase 1: every message consumed",
          phase1,
          () => consumed.covers(perPartition),
        );
        assertSplit("phase 1 (Java leads)", phase1, protocol);
        phase1.forEach((m, i) =>
          assert.ok(m.count > before1[i], `${m.name} read none of its partitions' messages`)
        );
        // The readers started where java-1 had committed.
        for (const r of readers) {
          for (const [p, first] of r.firstOffsets) {
            assert.ok(
              first >= perPartition / 2,
              `${r.name} read partition ${p} from ${first}, before java-1's commit`,
            );
          }
        }

        // Phase 2: java-1 leaves; the readers take its partitions (one of them leads now),
        // then java-2 joins.
        await java1.stop();
        await settle(
          "the two readers to split all partitions after java-1 left",
          readers,
          () => splitProblems(readers).length === 0,
        );
        java2 = new JavaMember("java-2", topic, groupId, protocol, consumed);
        const phase2 = [java2, ...readers];
        await settle("phase 2: a 3-way split", phase2, () => splitProblems(phase2).length === 0);
        const before2 = phase2.map((m) => m.count);
        await produce(topic, N, N);
        await settle(
          "phase 2: every message consumed",
          phase2,
          () => consumed.covers(2 * perPartition),
        );
        assertSplit("phase 2 (kafkit leads)", phase2, protocol);
        phase2.forEach((m, i) =>
          assert.ok(m.count > before2[i], `${m.name} read none of its partitions' messages`)
        );
        // java-2 started where the readers had committed.
        for (const [p, first] of java2.firstOffsets) {
          assert.ok(first >= perPartition, `java-2 read partition ${p} from ${first}`);
        }
        for (const r of readers) {
          assert.ok(
            !r.errors.some((e) => e.includes("expected")),
            `${r.name} read wrong values: ${r.errors}`,
          );
        }
      } finally {
        await Promise.all([
          java1.stop(3_000),
          java2?.stop(3_000),
          ...readers.map((r) => r.close().catch(() => {})),
        ]);
      }
    });
  }
});
