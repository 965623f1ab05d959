// The leader-kill chaos run, shared by the short CI test (writer_sigkill_test.ts) and the
// script anyone can run longer (scripts/chaos/leader_kills.ts): keyed writes, one call at a
// time, while the leader of a partition is SIGKILLed again and again — no controlled
// shutdown, in-flight requests simply vanish — and started again; then a full read-back of
// the topic, counted against what was acknowledged: lost, duplicated, out of order per key.

import { readFileSync } from "node:fs";
import process from "node:process";
import { Dialer, Hash, Writer, type WriterConfig } from "../../mod.ts";
import { RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";
import { readWholeTopic } from "../_read_topic.ts";
import { countLog, type LogCount, replicatedTopic, writeKeyed } from "./_writer_helpers.ts";

/** What to run. */
export interface LeaderKillOptions {
  /** The cluster's bootstrap addresses. */
  brokers: string[];
  /** -1: idempotent writes to all in-sync replicas; 1: the leader's acknowledgement only. */
  acks: -1 | 1;
  /** SIGKILLs, spread over the run: each kills the current leader of the next partition. */
  kills: number;
  /** The least time to write for, in seconds (it goes on until every kill is done). */
  seconds: number;
  /** Messages to write, paced evenly over `seconds` (then on at that pace until the kills end). */
  messages: number;
  /** How long a killed node stays down before it is started again, in ms (default 2000). */
  downFor?: number;
  /** Messages per call (default 3000). */
  chunk?: number;
  /** Distinct keys (default 60). */
  keys?: number;
  /** Partitions of the topic (default 3). */
  partitions?: number;
  /** More Writer options (e.g. `maxAttempts: 10` for the old attempt budget). */
  writer?: Partial<WriterConfig>;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What happened. */
export interface LeaderKillReport extends LogCount {
  runtime: string;
  topic: string;
  acks: -1 | 1;
  seconds: number;
  /** Each kill: the node, the partition it led, seconds into the run. */
  kills: { node: number; partition: number; at: number }[];
  written: number;
  acknowledged: number;
  failed: number;
  /** Failure counts by reason, most frequent first. */
  reasons: [string, number][];
}

/**
 * Kills a cluster node with SIGKILL, by the pid the harness recorded for it; false when it
 * does not run (no pid recorded, or that process is gone).
 */
export function killNode(id: number): boolean {
  const root = process.env.KAFKIT_STATE ?? "/tmp/kafkit-kafka";
  const state = JSON.parse(readFileSync(`${root}/cluster/state.json`, "utf8")) as {
    nodes: { id: number; pid: number | null }[];
  };
  const pid = state.nodes.find((n) => n.id === id)?.pid;
  if (!pid) return false;
  try {
    process.kill(pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Waits until every partition of `topic` has a leader and all 3 replicas in sync. */
export async function waitForFullIsr(brokers: string[], topic: string): Promise<void> {
  const dialer = new Dialer();
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const address = brokers[Math.floor(Math.random() * brokers.length)];
      const partitions = await dialer.lookupPartitions(address, topic);
      if (partitions.every((p) => p.leader.id >= 0 && p.isr.length === 3)) return;
    } catch {
      // A node is still starting: ask again.
    }
    if (Date.now() > deadline) throw new Error(`${topic}: replicas not back in sync`);
    await sleep(500);
  }
}

/** The current leader of a partition, asked of any node that answers (one may be starting). */
export async function leaderOf(
  brokers: string[],
  topic: string,
  partition: number,
): Promise<number> {
  const dialer = new Dialer();
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const address of brokers) {
      try {
        return (await dialer.lookupLeader(address, topic, partition)).id;
      } catch (e) {
        if (Date.now() > deadline) throw e;
      }
    }
    await sleep(500);
  }
}

/** Runs the chaos: writes, kills, read-back, counts. Every node is up again at the end. */
export async function runLeaderKills(options: LeaderKillOptions): Promise<LeaderKillReport> {
  const { brokers, acks, kills, seconds } = options;
  const log = options.log ?? (() => {});
  const partitions = options.partitions ?? 3;
  const acksName = acks === -1 ? "all" : "1";
  const { topic } = await replicatedTopic(
    brokers,
    `kafkit-chaos-acks${acksName}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`,
    partitions,
  );
  await waitForFullIsr(brokers, topic);
  const writer = new Writer({
    brokers,
    topic,
    requiredAcks: acks,
    idempotent: acks === -1,
    batchSize: 200,
    balancer: new Hash(),
    ...options.writer,
  });
  const started = Date.now();
  const done: LeaderKillReport["kills"] = [];
  let killing = true;
  const killer = (async () => {
    let restarts = 0;
    try {
      for (let k = 0; k < kills; k++) {
        // Spread over the run: kill k at (k+1)/(kills+1) of it.
        await sleep(started + ((k + 1) * seconds * 1000) / (kills + 1) - Date.now());
        const partition = k % partitions;
        const leader = await leaderOf(brokers, topic, partition);
        if (!killNode(leader)) {
          // Not running as the harness recorded it: bring it back and kill it again.
          if (++restarts > 3) throw new Error(`node ${leader} does not stay up to be killed`);
          log(`node ${leader} is not running as recorded; starting it again`);
          await harness("start-node", String(leader));
          await waitForFullIsr(brokers, topic);
          k--;
          continue;
        }
        const at = (Date.now() - started) / 1000;
        done.push({ node: leader, partition, at });
        log(`${at.toFixed(1)} s: SIGKILL node ${leader}, leader of ${topic}/${partition}`);
        await sleep(options.downFor ?? 2_000);
        await harness("start-node", String(leader));
        await waitForFullIsr(brokers, topic);
        log(`${((Date.now() - started) / 1000).toFixed(1)} s: node ${leader} back in sync`);
      }
    } finally {
      killing = false;
    }
  })();
  // Its failure is rethrown below, once the writes have stopped.
  killer.catch(() => {});
  const chunk = options.chunk ?? 3_000;
  const perMs = options.messages / (seconds * 1000);
  let outcome;
  try {
    outcome = await writeKeyed(writer, {
      total: Infinity,
      chunk,
      keys: options.keys ?? 60,
      stop: () => !killing && Date.now() - started >= seconds * 1000,
    }, async (from) => {
      // Paced: the next call starts once the time for its messages has come.
      await sleep(started + (from + chunk) / perMs - Date.now());
    });
    await writer.close();
  } finally {
    killing = false;
    await killer.catch((e) => log(`killer: ${e}`));
    for (const node of [1, 2, 3]) await harness("start-node", String(node));
  }
  await killer; // a failed kill fails the run
  const took = (Date.now() - started) / 1000;
  log(`${took.toFixed(1)} s: ${outcome.written} written; reading ${topic} back`);
  await waitForFullIsr(brokers, topic);
  const read = await readWholeTopic(brokers[0], topic);
  return {
    runtime: RUNTIME,
    topic,
    acks,
    seconds: took,
    kills: done,
    written: outcome.written,
    acknowledged: outcome.acked.size,
    failed: outcome.rejected.size,
    reasons: [...outcome.reasons].sort((a, b) => b[1] - a[1]),
    ...countLog(read, outcome),
  };
}

/** The report as lines of text. */
export function reportText(r: LeaderKillReport): string {
  return [
    `leader kills (${r.runtime}, acks=${r.acks === -1 ? "all, idempotent" : "1"}): ` +
    `${r.kills.length} SIGKILLs in ${r.seconds.toFixed(0)} s, topic ${r.topic}`,
    `  written ${r.written}, acknowledged ${r.acknowledged}, failed ${r.failed}`,
    `  in the log ${r.inLog}: lost ${r.lost.length}, duplicated ${r.duplicated.length}, ` +
    `out of order ${r.outOfOrder.length}, failed but written ${r.failedButWritten}`,
    ...r.reasons.slice(0, 5).map(([reason, n]) => `  ${n} × ${reason}`),
  ].join("\n");
}
