// The 3-broker tutorial of ../shared/seeds (kafka-go-3-broker-tutorial.md) in kafkit: a
// producer writing keyed messages one at a time to a topic that does not exist yet, and a
// group consumer reading them, against the 3-node cluster.

import assert from "node:assert/strict";
import { Reader, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the tutorial with `count` messages: `together` starts the consumer at the same moment
 * as the producer (as the tutorial's main does); otherwise once the first message is written
 * (the topic exists). Asserts every message is consumed once, within `ms`.
 */
export async function runTutorial(
  options: { together: boolean; count?: number; ms?: number },
): Promise<void> {
  const count = options.count ?? 8;
  const brokers = kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
  const tag = `${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
  const topic = `kafkit-seeds-tutorial-${tag}`;
  const stop = AbortSignal.timeout(options.ms ?? 40_000);
  const written: string[] = [];
  await using w = new Writer({ brokers, topic });
  const produce = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      await w.writeMessages([{ key: String(i), value: `this is message${i}` }], { signal: stop });
      written.push(`this is message${i}`);
      await sleep(100); // the tutorial sleeps a second between writes
    }
  };
  // Started together, the consumer joins before the producer's first write creates the topic.
  if (!options.together) await produce(0, 1);
  const producing = produce(options.together ? 0 : 1, count);
  await using r = new Reader({ brokers, topic, groupId: `kafkit-seeds-tutorial-g-${tag}` });
  const received: string[] = [];
  while (received.length < count) {
    const m = await r.readMessage({ signal: stop });
    received.push(new TextDecoder().decode(m.value!));
  }
  await producing;
  assert.deepEqual(received.sort(), written.sort());
  assert.equal(new Set(received).size, count);
}
