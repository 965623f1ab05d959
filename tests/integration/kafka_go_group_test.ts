// Mixed consumer groups with segmentio/kafka-go's own Readers (issue 20, item 7): kafka-go
// writes a subscription marked version 1 with only version 0's fields, and as leader refuses
// any byte after them. Per assignor, one group over 6 partitions goes through:
// 1. a kafka-go reader alone reads (and commits) 120 messages;
// 2. two kafkit readers join, the kafka-go reader leads: split 2+2+2, 120 more;
// 3. the kafka-go reader leaves (a kafkit reader leads now), a new kafka-go reader joins:
//    split 2+2+2 again, 120 more.
// Every message is read exactly once across the members, so commits carry both ways.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  Client,
  DecodeError,
  dial,
  type GroupBalancer,
  RangeGroupBalancer,
  Reader,
  RoundRobinGroupBalancer,
  Writer,
} from "../../mod.ts";
import { Connection } from "../../src/core.ts";
import { JoinGroup } from "../../src/protocol/generated/index.ts";
import { hostPort, kafkaEnv, RUNTIME } from "../_env.ts";
import { kafkaGoPeer, KafkaGoReader } from "../_kafka_go.ts";

const PARTITIONS = 6;
/** Messages per phase. */
const N = 120;

const dec = new TextDecoder();
const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const unique = (name: string) => `kafkit-kgo-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!await ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** A kafkit group reader reading in the background, recording what it read. */
class KafkitMember {
  readonly values: string[] = [];
  readonly errors: string[] = [];
  readonly reader: Reader;
  readonly #stop = new AbortController();
  readonly #done: Promise<void>;

  constructor(topic: string, groupId: string, balancer: GroupBalancer, clientId: string) {
    const reader = new Reader({
      brokers: brokers(),
      topic,
      groupId,
      clientId,
      groupBalancers: [balancer],
      heartbeatInterval: 500,
      maxWait: 200,
      errorLogger: (m) => this.errors.length < 20 && this.errors.push(m),
    });
    this.reader = reader;
    this.#done = (async () => {
      const signal = this.#stop.signal;
      while (!signal.aborted) {
        try {
          this.values.push(dec.decode((await reader.readMessage({ signal })).value!));
        } catch {
          if (signal.aborted) return;
          await sleep(100);
        }
      }
    })();
  }

  async close(): Promise<void> {
    this.#stop.abort();
    await this.#done;
    await this.reader.close();
  }
}

async function produce(topic: string, from: number): Promise<void> {
  await using w = new Writer({ brokers: brokers(), topic });
  await w.writeMessages(
    Array.from({ length: N }, (_, k) => ({
      partition: (from + k) % PARTITIONS,
      value: String(from + k),
    })),
  );
}

/** Partitions per member client id once the group is stable with `members` members. */
async function split(admin: Client, groupId: string): Promise<Map<string, number[]>> {
  const [g] = await admin.describeGroups([groupId]);
  if (g.error || g.state !== "Stable") return new Map();
  return new Map(g.members.map((m) => [
    m.clientId,
    m.assignment.flatMap((t) => t.partitions).sort((a, b) => a - b),
  ]));
}

const SHAPES = {
  // Consecutive pairs: [0,1] [2,3] [4,5].
  range: (o: number[]) => o.length === 2 && o[0] % 2 === 0 && o[1] === o[0] + 1,
  // Every third partition: [0,3] [1,4] [2,5].
  roundrobin: (o: number[]) => o.length === 2 && o[1] === o[0] + 3,
};

describe(`mixed groups with kafka-go ${"v0.4.51"} readers (${RUNTIME})`, () => {
  for (const balancer of ["range", "roundrobin"] as const) {
    test(`${balancer}: kafka-go and kafkit readers split, each leading once; every message once`, async () => {
      const binary = await kafkaGoPeer();
      const topic = unique(balancer);
      const groupId = `${topic}-g`;
      {
        await using conn = await dial(brokers()[0]);
        await conn.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
      }
      await using admin = new Client({ brokers: brokers() });
      const make = () =>
        balancer === "range" ? new RangeGroupBalancer() : new RoundRobinGroupBalancer();
      const goOptions = { brokers: brokers(), topic, groupId, balancer };
      const go1 = new KafkaGoReader(binary, { ...goOptions, clientId: "kafka-go-1" });
      let go2: KafkaGoReader | undefined;
      let kafkit: KafkitMember[] = [];
      const all = () => [
        ...go1.messages.map((m) => m.value),
        ...(go2?.messages.map((m) => m.value) ?? []),
        ...kafkit.flatMap((k) => k.values),
      ];
      const diagnostics = () =>
        `go1: ${go1.diagnostics()}\ngo2: ${go2?.diagnostics()}\n` +
        kafkit.map((k, i) => `kafkit-${i + 1}: read ${k.values.length}; ${k.errors.join(" | ")}`)
          .join("\n");
      /** Waits for the group to settle on `clients`, 2 partitions each in the assignor's shape. */
      const settled = (clients: string[]) =>
        until(`a 2+2+2 split over ${clients}`, async () => {
          const s = await split(admin, groupId);
          return clients.every((c) => SHAPES[balancer](s.get(c) ?? [])) && s.size === 3 &&
            new Set([...s.values()].flat()).size === PARTITIONS;
        }, 40_000);
      try {
        // 1. kafka-go alone.
        await produce(topic, 0);
        await until("kafka-go reading alone", () => go1.messages.length === N);
        // 2. Two kafkit readers join; kafka-go leads the rebalance.
        kafkit = [1, 2].map((i) => new KafkitMember(topic, groupId, make(), `kafkit-${i}`));
        await settled(["kafka-go-1", "kafkit-1", "kafkit-2"]);
        await produce(topic, N);
        await until("phase 2 read", () => all().length >= 2 * N);
        for (const k of kafkit) assert.ok(k.values.length > 0, diagnostics());
        // 3. kafka-go leaves, a kafkit reader leads; a new kafka-go reader joins.
        await go1.close();
        go2 = new KafkaGoReader(binary, { ...goOptions, clientId: "kafka-go-2" });
        await settled(["kafka-go-2", "kafkit-1", "kafkit-2"]);
        await produce(topic, 2 * N);
        await until("phase 3 read", () => all().length >= 3 * N);
        assert.ok(go2.messages.length > 0, diagnostics());
        await sleep(500); // anything read twice shows up
        const values = all();
        assert.equal(values.length, 3 * N, `each message once\n${diagnostics()}`);
        assert.deepEqual(
          [...new Set(values)].map(Number).sort((a, b) => a - b),
          Array.from({ length: 3 * N }, (_, i) => i),
        );
      } catch (e) {
        throw new Error(`${e}\n${diagnostics()}`);
      } finally {
        await Promise.all([go1.close(), go2?.close(), ...kafkit.map((k) => k.close())]);
      }
    });
  }

  test("a member whose subscription cannot be read gets nothing; the kafkit leader goes on", async () => {
    const topic = unique("unreadable");
    const groupId = `${topic}-g`;
    {
      await using conn = await dial(brokers()[0]);
      await conn.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
    }
    const reported: unknown[] = [];
    await using r = new Reader({
      brokers: brokers(),
      topic,
      groupId,
      heartbeatInterval: 300,
      maxWait: 200,
      onError: (e) => reported.push(e),
    });
    await until("the reader owning both partitions", () => r.assignments.length === 2);
    // A foreign member joins with bytes no version of the subscription fits.
    await using foreign = await Connection.connect(hostPort(brokers()[0]));
    const join = (memberId: string) =>
      foreign.request(JoinGroup, {
        groupId,
        sessionTimeoutMs: 10_000,
        rebalanceTimeoutMs: 10_000,
        memberId,
        groupInstanceId: null,
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: Uint8Array.of(0, 0, 0xff) }],
      }, { timeout: 20_000 });
    const first = await join("");
    const joined = await join(first.memberId); // completes once the kafkit leader rejoined
    assert.equal(joined.errorCode, 0);
    assert.notEqual(joined.leader, joined.memberId, "the kafkit reader leads");
    await until(
      "the unreadable subscription reported",
      () => reported.some((e) => e instanceof DecodeError),
    );
    await until("the reader still owning both", () => r.assignments.length === 2);
    {
      await using w = new Writer({ brokers: brokers(), topic });
      await w.writeMessages([{ value: "still here", partition: 1 }]);
    }
    const m = await r.readMessage({ signal: AbortSignal.timeout(10_000) });
    assert.equal(dec.decode(m.value!), "still here");
  });
});
