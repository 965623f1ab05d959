// The exactly-once chaos run, shared by the short 3-node test (exactly_once_test.ts) and the
// script anyone can run longer (scripts/chaos/exactly_once.ts): two ExactlyOnce members of
// one group copy an input topic to an output topic, one transaction per batch, while the
// leaders of the output's partitions are SIGKILLed and started again, and one member (a child
// process) is SIGKILLed — no LeaveGroup, no EndTxn, its transaction left open — and started
// again with the same transactional id, fencing what it left. Then the output is read
// back read_committed and counted against the input (lost, duplicated), and the group's
// committed offsets against the input's end offsets.

import {
  Client,
  dial,
  dialLeader,
  ExactlyOnce,
  type ExactlyOnceConfig,
  type ExactlyOnceStats,
  type Message,
  Writer,
} from "../../mod.ts";
import { spawn } from "node:child_process";
import { extname } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { RUNTIME } from "../_env.ts";
import { harness } from "../_harness.ts";
import { readWholeTopic } from "../_read_topic.ts";
import { killNode, leaderOf, waitForFullIsr } from "./_leader_kills.ts";
import { replicatedTopic } from "./_writer_helpers.ts";

/** What to run. */
export interface EosChaosOptions {
  /** The cluster's bootstrap addresses. */
  brokers: string[];
  /** Input messages, written evenly over `seconds` while the members copy them. */
  messages: number;
  /** How long the input is written for, in seconds; the kills are spread over it. */
  seconds: number;
  /** SIGKILLs of output partition leaders, one after another (each waits for the ISR). */
  kills: number;
  /** How long a killed node stays down, in ms (default 2000). */
  downFor?: number;
  /** Input messages per transaction (default 500). */
  batchSize?: number;
  /** Partitions of the input (default 4) and output (default 3). */
  inputPartitions?: number;
  outputPartitions?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What happened. */
export interface EosChaosReport {
  runtime: string;
  input: string;
  output: string;
  messages: number;
  seconds: number;
  /** Each leader kill: the node, the output partition it led, seconds into the run. */
  kills: { node: number; partition: number; at: number }[];
  /** When the member was killed and when its replacement started, in seconds. */
  memberKill: { at: number; restartedAt: number } | undefined;
  /** Each member's counts (the killed one's up to its death, its replacement's after). */
  members: Record<string, ExactlyOnceStats>;
  /** Records in the output as read_committed sees them. */
  committedOutput: number;
  /** Input indexes missing from the committed output, and those in it more than once. */
  lost: number[];
  duplicated: number[];
  /** Every input partition's committed offset equals its end offset. */
  offsetsMatch: boolean;
  committedOffsets: number[];
  endOffsets: number[];
  /** Records of the output read_uncommitted: aborted transactions included. */
  uncommittedOutput: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const dec = new TextDecoder();

/** Runs it; every node is up again at the end. */
export async function runEosChaos(options: EosChaosOptions): Promise<EosChaosReport> {
  const { brokers, messages, kills } = options;
  const log = options.log ?? (() => {});
  const tag = `${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
  const outputPartitions = options.outputPartitions ?? 3;
  const { topic: input } = await replicatedTopic(
    brokers,
    `kafkit-eos-in-${tag}`,
    options.inputPartitions ?? 4,
  );
  const { topic: output } = await replicatedTopic(
    brokers,
    `kafkit-eos-out-${tag}`,
    outputPartitions,
  );
  const groupId = `kafkit-eos-group-${tag}`;
  await waitForFullIsr(brokers, input);
  await waitForFullIsr(brokers, output);
  const source = new Writer({ brokers, topic: input, batchSize: 1000 });
  const members: Record<string, ExactlyOnceStats> = {};
  const running: Promise<void>[] = [];
  const config = { brokers, groupId, input, output, batchSize: options.batchSize ?? 500, log };
  const start = (name: string) => {
    const member = new ExactlyOnce(
      memberConfig({ ...config, transactionalId: `${output}-${name}` }),
    );
    running.push(member.run().catch((e) => log(`${name}: run ended: ${e}`)));
    return member;
  };
  await using admin = new Client({ brokers });
  const committed = async () => {
    const [g] = await admin.fetchOffsets([{ groupId, topics: [input] }]);
    return g.offsets.map((o) => Math.max(0, o.offset));
  };
  const committedTotal = async () =>
    (await committed().catch(() => [0])).reduce((a, b) => a + b, 0);

  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  // The input arrives while the members run: paced evenly over `seconds`, in 100 calls.
  const writing = (async () => {
    const chunk = Math.ceil(messages / 100);
    for (let from = 0; from < messages; from += chunk) {
      await sleep(started + (from / messages) * options.seconds * 1000 - Date.now());
      const n = Math.min(chunk, messages - from);
      await source.writeMessages(Array.from({ length: n }, (_, i) => ({ value: `${from + i}` })));
    }
    await source.close();
    log(`${seconds().toFixed(1)} s: all ${messages} input messages written to ${input}`);
  })();
  const a = start("a");
  const b = spawnMember({ ...config, transactionalId: `${output}-b` });
  let bAgain: ExactlyOnce | undefined;
  let memberKill: EosChaosReport["memberKill"];
  const done: EosChaosReport["kills"] = [];
  let took = 0;
  // The member is killed half-way through the input, whatever the leader kills are at.
  const memberKilling = sleep(started + options.seconds * 500 - Date.now()).then(async () => {
    memberKill = await killMember();
  });
  memberKilling.catch(() => {});
  try {
    for (let k = 0; k < kills; k++) {
      // Spread over the run: kill k at (k+1)/(kills+1) of it.
      await sleep(started + ((k + 1) * options.seconds * 1000) / (kills + 1) - Date.now());
      const partition = k % outputPartitions;
      const leader = await leaderOf(brokers, output, partition);
      if (!killNode(leader)) throw new Error(`node ${leader} is not running as recorded`);
      done.push({ node: leader, partition, at: seconds() });
      log(`${seconds().toFixed(1)} s: SIGKILL node ${leader}, leader of ${output}/${partition}`);
      await sleep(options.downFor ?? 2_000);
      await harness("start-node", String(leader));
      await waitForFullIsr(brokers, output);
      log(`${seconds().toFixed(1)} s: node ${leader} back in sync`);
    }
    await memberKilling;
    await writing;
    const deadline = Date.now() + 300_000;
    while (await committedTotal() < messages) {
      if (Date.now() > deadline) throw new Error(`only ${await committedTotal()} committed`);
      await sleep(200);
    }
    took = seconds();
  } finally {
    await memberKilling.catch((e) => log(`killing the member failed: ${e}`));
    await writing.catch((e) => log(`writing the input failed: ${e}`));
    for (const node of [1, 2, 3]) await harness("start-node", String(node));
    members.a = a.stats();
    await a.close();
    if (bAgain) {
      members.b2 = bAgain.stats();
      await bAgain.close();
    }
    b.kill(); // if the run failed before its kill
    members.b = b.stats;
  }
  log(`${took.toFixed(1)} s: all ${messages} committed; reading ${output} back`);
  await waitForFullIsr(brokers, output);
  const out = await readWholeTopic(brokers[0], output, "read_committed");
  const uncommitted = await readWholeTopic(brokers[0], output, "read_uncommitted");
  const seen = new Uint32Array(messages);
  for (const m of out) seen[Number(dec.decode(m.value!).slice(4))]++;
  const lost: number[] = [];
  const duplicated: number[] = [];
  seen.forEach((n, i) => {
    if (n === 0) lost.push(i);
    if (n > 1) duplicated.push(i);
  });
  const ends = await inputEnds(brokers[0], input);
  const offsets = await committed();
  return {
    runtime: RUNTIME,
    input,
    output,
    messages,
    seconds: took,
    kills: done,
    memberKill,
    members,
    committedOutput: out.length,
    lost,
    duplicated,
    offsetsMatch: offsets.length === ends.length && offsets.every((o, i) => o === ends[i]),
    committedOffsets: offsets,
    endOffsets: ends,
    uncommittedOutput: uncommitted.length,
  };

  /** SIGKILLs member b's process and starts it again (in this one) with the same id. */
  async function killMember(): Promise<NonNullable<EosChaosReport["memberKill"]>> {
    await b.kill();
    const at = seconds();
    log(`${at.toFixed(1)} s: member b killed`);
    await sleep(1_000);
    bAgain = start("b");
    const restartedAt = seconds();
    log(`${restartedAt.toFixed(1)} s: member b started again (same transactional id)`);
    return { at, restartedAt };
  }
}

/** What a member of the run is made of. */
export interface MemberOptions {
  brokers: string[];
  groupId: string;
  input: string;
  output: string;
  transactionalId: string;
  batchSize: number;
  log: (line: string) => void;
}

/** A member's configuration: the input copied to the output, value `i` as `out-i`. */
export function memberConfig(o: MemberOptions): ExactlyOnceConfig {
  return {
    reader: {
      brokers: o.brokers,
      groupId: o.groupId,
      topic: o.input,
      maxWait: 200,
      // A killed member is out of the group in 10 s, its partitions taken over.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    },
    writer: {
      brokers: o.brokers,
      topic: o.output,
      transactionalId: o.transactionalId,
      transactionTimeout: 20_000,
    },
    batchSize: o.batchSize,
    batchTimeout: 50,
    transform: (batch: Message[]) =>
      batch.map((m) => ({ key: m.value, value: `out-${dec.decode(m.value!)}` })),
    onAbort: (e) => o.log(`${o.transactionalId}: transaction aborted: ${(e as Error).message}`),
  };
}

/** A member in a child process of this runtime (`_eos_member`), to be SIGKILLed. */
function spawnMember(
  o: MemberOptions,
): { readonly stats: ExactlyOnceStats; kill(): Promise<void> } {
  const script = fileURLToPath(
    new URL(`./_eos_member${extname(import.meta.url)}`, import.meta.url),
  );
  const runtime = "Deno" in globalThis ? ["run", "-A", script] : [script];
  const child = spawn(process.execPath, [
    ...runtime,
    o.brokers.join(","),
    o.groupId,
    o.input,
    o.output,
    o.transactionalId,
    String(o.batchSize),
  ], { stdio: ["ignore", "pipe", "pipe"] });
  let stats: ExactlyOnceStats = { committed: 0, aborted: 0, messages: 0 };
  let buffered = "";
  child.stdout.on("data", (d) => {
    buffered += d;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    if (lines.length > 0) stats = JSON.parse(lines.at(-1)!);
  });
  child.stderr.on("data", (d) => o.log(`member ${o.transactionalId}: ${String(d).trimEnd()}`));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    get stats() {
      return stats;
    },
    kill() {
      child.kill("SIGKILL");
      return exited;
    },
  };
}

/** The end offset of each partition of `topic`, in partition order. */
async function inputEnds(address: string, topic: string): Promise<number[]> {
  await using admin = await dial(address);
  const partitions = (await admin.readPartitions([topic])).sort((x, y) => x.id - y.id);
  const ends: number[] = [];
  for (const p of partitions) {
    await using conn = await dialLeader(address, topic, p.id);
    ends.push(await conn.readLastOffset());
  }
  return ends;
}

/** The report as lines of text. */
export function reportText(r: EosChaosReport): string {
  return [
    `exactly-once (${r.runtime}): ${r.messages} input messages, ${r.kills.length} output leader ` +
    `SIGKILLs, member killed at ${r.memberKill?.at.toFixed(1)} s and restarted at ` +
    `${r.memberKill?.restartedAt.toFixed(1)} s; ${r.seconds.toFixed(0)} s`,
    `  committed output ${r.committedOutput} (read_uncommitted: ${r.uncommittedOutput}): ` +
    `lost ${r.lost.length}, duplicated ${r.duplicated.length}`,
    `  group offsets ${r.committedOffsets.join(",")} vs ends ${r.endOffsets.join(",")}: ` +
    `${r.offsetsMatch ? "match" : "MISMATCH"}`,
    ...Object.entries(r.members).map(([name, s]) =>
      `  member ${name}: ${s.committed} transactions committed (${s.messages} messages), ` +
      `${s.aborted} aborted`
    ),
  ].join("\n");
}
