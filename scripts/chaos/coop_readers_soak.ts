/**
 * The cooperative-readers soak (issue 20 item 8): two group Readers with
 * CooperativeStickyGroupBalancer and default timings, round after round. Each round: a new
 * 6-partition topic, the second reader joining 0, 300 or 1500 ms after the first (one joint
 * generation, or a cooperative revoke and hand-over), 60 messages (half written before the
 * readers start, half after). A round stalls when no message arrives for 20 s: then both
 * readers' logs, stats and assignments are printed and the run exits 1.
 *
 *   deno run -A scripts/chaos/coop_readers_soak.ts [rounds, default 10]
 *   bun scripts/chaos/coop_readers_soak.ts [rounds]      (or Node 24: node scripts/…)
 *
 * The broker is $KAFKA_BROKERS (the harness's single-node env file). The 6-round check of
 * the same two paths is in tests/integration/seeds_consumer_test.ts.
 */
import process from "node:process";
import { CooperativeStickyGroupBalancer, dial, KafkaError, Reader, Writer } from "../../mod.ts";

const brokers = (process.env.KAFKA_BROKERS ?? "").split(",");
const rounds = Number(process.argv[2] ?? 10);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`rounds must be a positive integer, got ${process.argv[2]}`);
  process.exit(2);
}
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const dec = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (let round = 0; round < rounds; round++) {
  const topic = `kafkit-coopsoak-${runtime}-${Date.now()}`;
  {
    await using conn = await dial(brokers[0]);
    await conn.createTopics([{ topic, numPartitions: 6, replicationFactor: 1 }]);
  }
  await using w = new Writer({ brokers, topic, batchTimeout: 5 });
  const write = (from: number) =>
    w.writeMessages(
      Array.from({ length: 30 }, (_, j) => ({ key: `k${from + j}`, value: `v${from + j}` })),
    );
  await write(0);
  const logs: string[][] = [[], []];
  const started = performance.now();
  const stamp = () => `${(performance.now() - started).toFixed(0)}ms`;
  const stagger = [0, 300, 1500][round % 3];
  const reader = (i: number) =>
    new Reader({
      brokers,
      topic,
      groupId: `${topic}-g`,
      groupBalancers: [new CooperativeStickyGroupBalancer()],
      logger: (m) => logs[i].push(`${stamp()} ${m}`),
      errorLogger: (m) => logs[i].push(`${stamp()} ERR ${m}`),
    });
  const readers = [reader(0)];
  if (stagger > 0) await sleep(stagger);
  readers.push(reader(1));
  const seen = new Set<string>();
  let last = performance.now();
  const done = new AbortController();
  const loops = readers.map(async (r, i) => {
    while (!done.signal.aborted && seen.size < 60) {
      try {
        const m = await r.readMessage({ signal: done.signal });
        seen.add(dec.decode(m.value!));
        last = performance.now();
      } catch (e) {
        if (done.signal.aborted) return;
        if (!(e instanceof KafkaError)) logs[i].push(`${stamp()} read threw ${e}`);
        await sleep(50);
      }
    }
    done.abort();
  });
  await sleep(500);
  await write(30);
  while (seen.size < 60 && performance.now() - last < 20_000) await sleep(100);
  const stalled = seen.size < 60;
  done.abort();
  await Promise.all(loops);
  if (stalled) {
    console.log(
      `round ${round} (stagger ${stagger} ms) STALLED at ${seen.size} of 60 after ${stamp()}`,
    );
    readers.forEach((r, i) => {
      console.log(`--- reader ${i}: assignments ${JSON.stringify(r.assignments)}`);
      console.log(JSON.stringify(r.stats()));
      console.log(logs[i].join("\n"));
    });
  } else console.log(`round ${round} (stagger ${stagger} ms) ok in ${stamp()}`);
  for (const r of readers) await r.close();
  if (stalled) process.exit(1);
}
console.log(`${rounds} rounds ok`);
