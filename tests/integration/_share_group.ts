// Shared by the share group tests: a topic with records and a group that reads it from the
// start, and a read loop that stops when told.

import {
  type ShareReader,
  ShareReaderClosedError,
  type ShareRecord,
  throwIfFailed,
  Writer,
} from "../../mod.ts";
import { kafkaEnv } from "../_env.ts";
import { adminClient, uniqueName } from "./admin/_admin.ts";

/** The single-node harness broker. */
export const brokers = (): string[] => kafkaEnv("KAFKA_BROKERS").split(",");

/** A record's value as text. */
export const text = (r: ShareRecord): string => new TextDecoder().decode(r.value!);

/** A topic with `count` records ("m0", "m1", …) and a share group that starts at its beginning. */
export async function sharedTopic(
  count: number,
  partitions: number,
  groupConfigs: Record<string, string> = {},
): Promise<{ topic: string; groupId: string }> {
  const topic = uniqueName("share");
  const groupId = `${topic}-group`;
  await using admin = adminClient();
  throwIfFailed(await admin.createTopics([{ topic, numPartitions: partitions }]));
  const configs = { "share.auto.offset.reset": "earliest", ...groupConfigs };
  throwIfFailed(
    await admin.incrementalAlterConfigs([{
      type: "group",
      name: groupId,
      ops: Object.entries(configs).map(([name, value]) => ({ name, op: "set", value })),
    }]),
  );
  await using w = new Writer({ brokers: brokers(), topic });
  await w.writeMessages(Array.from({ length: count }, (_, i) => ({ value: `m${i}` })));
  return { topic, groupId };
}

/** Reads until `done()` says so (checked after every record), `stop` aborts or `ms` pass. */
export async function readUntil(
  reader: ShareReader,
  got: ShareRecord[],
  done: () => boolean,
  ms = 30_000,
  stop = new AbortController(),
): Promise<void> {
  const signal = AbortSignal.any([stop.signal, AbortSignal.timeout(ms)]);
  while (!done()) {
    try {
      got.push(await reader.readMessage({ signal }));
    } catch (e) {
      if (signal.aborted || e instanceof ShareReaderClosedError) return;
      throw e;
    }
  }
  stop.abort();
}
