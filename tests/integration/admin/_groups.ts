// Shared by the admin group tests: topics with records, real groups, and waiting.

import { dial, Writer } from "../../../mod.ts";
import { kafkaEnv } from "../../_env.ts";

/** The harness broker's bootstrap list. */
export const brokers = (): string[] => kafkaEnv("KAFKA_BROKERS").split(",");

/** Creates `topic` with `partitions` and writes `perPartition` records to each one. */
export async function topicWithRecords(
  topic: string,
  partitions: number,
  perPartition: number,
  time?: (partition: number, i: number) => Date,
): Promise<void> {
  {
    await using conn = await dial(brokers()[0]);
    await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
  }
  if (perPartition === 0) return;
  await using w = new Writer({ brokers: brokers(), topic });
  await w.writeMessages(
    Array.from({ length: partitions * perPartition }, (_, n) => {
      const partition = n % partitions, i = Math.floor(n / partitions);
      return { value: `v${i}`, partition, ...(time ? { time: time(partition, i) } : {}) };
    }),
  );
}

/** Waits until `check` returns a value (not undefined), polling; fails after `ms`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
