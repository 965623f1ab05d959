// What every example needs before it starts: the brokers and a topic of its own.

import process from "node:process";
import { Client } from "@kafkit/kafkit"; // npm: "kafkit"

/** The brokers: KAFKA_BROKERS (comma separated), else a Kafka on this machine. */
export const brokers: string[] = (process.env.KAFKA_BROKERS ?? "localhost:9092").split(",");

/** A topic made for one run of an example; deleted again when disposed. */
export interface ScratchTopic extends AsyncDisposable {
  /** The topic's name: `prefix` and the time of the run, so every run starts empty. */
  readonly name: string;
}

/**
 * Creates a fresh topic (a Writer never creates one) and deletes it on disposal, so running
 * an example leaves nothing behind on the broker.
 */
export async function scratchTopic(prefix: string, numPartitions = 1): Promise<ScratchTopic> {
  const name = `${prefix}-${Date.now()}`;
  const admin = new Client({ brokers });
  const [created] = await admin.createTopics([{ topic: name, numPartitions }]);
  if (created.error) {
    await admin.close();
    throw created.error;
  }
  return {
    name,
    async [Symbol.asyncDispose]() {
      try {
        await admin.deleteTopics([name]);
      } finally {
        await admin.close();
      }
    },
  };
}
