// Fresh topics for each run, created and deleted with kafkit's own Conn.

import { dial } from "../../mod.ts";

/** Creates `topic` with `partitions` partitions (replication factor 1). */
export async function createTopic(brokers: string, topic: string, partitions: number) {
  await using conn = await dial(brokers.split(",")[0]);
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

/** Deletes `topic`, so the runs do not pile up data on the broker's disk. */
export async function deleteTopic(brokers: string, topic: string) {
  await using conn = await dial(brokers.split(",")[0]);
  await conn.deleteTopics([topic]);
}
