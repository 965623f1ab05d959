// What a group reader commits is what the broker reports: the Java client's
// ConsumerGroupCommand (kafka-consumer-groups.sh) shows the same offsets and lag.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dial, type Message, Reader, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { describeGroupWithJava } from "../_consumer_group_command.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");

describe(`group commits seen by the Java tools (${RUNTIME})`, () => {
  test("committed offsets and lag match ConsumerGroupCommand --describe", async () => {
    const topic = `kafkit-lag-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
    const groupId = `${topic}-g`;
    {
      await using admin = await dial(brokers()[0]);
      await admin.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
      await using w = new Writer({ brokers: brokers(), topic });
      await w.writeMessages(
        Array.from({ length: 20 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })),
      );
    }
    {
      await using r = new Reader({ brokers: brokers(), groupId, topic, maxWait: 100 });
      const read: Message[] = [];
      const count = (p: number) => read.filter((m) => m.partition === p).length;
      while (count(0) < 7 || count(1) < 2) read.push(await r.fetchMessage());
      // Commit partition 0 up to its 7th message and partition 1 up to its 2nd.
      const p0 = read.filter((m) => m.partition === 0).slice(0, 7);
      const p1 = read.filter((m) => m.partition === 1).slice(0, 2);
      await r.commitMessages([...p0, ...p1]);
    }
    const rows = await describeGroupWithJava(brokers()[0], groupId);
    const columns = (p: number) => {
      const row = rows.get(`${topic}:${p}`);
      return [row?.current, row?.logEnd, row?.lag];
    };
    assert.deepEqual(columns(0), [7, 10, 3], JSON.stringify([...rows.values()]));
    assert.deepEqual(columns(1), [2, 10, 8], JSON.stringify([...rows.values()]));
  });
});
