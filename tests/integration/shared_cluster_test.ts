// Clients sharing one Cluster (the client core): a Writer, a group Reader and a partition
// Reader all work on it, closing them leaves it open, and a fetch the broker holds for maxWait on
// the fetch lane does not delay a commit to the same broker on the group lane.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dial, Reader, Writer } from "../../mod.ts";
import { Cluster } from "../../src/core.ts";
import { fetchRequest } from "../../src/cluster/requests/fetch.ts";
import { Fetch } from "../../src/protocol/generated/fetch.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const dec = new TextDecoder();
const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const unique = (name: string) =>
  `kafkit-shared-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;

async function createTopic(topic: string): Promise<void> {
  await using conn = await dial(brokers()[0]);
  await conn.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
}

describe(`clients sharing one Cluster (${RUNTIME})`, () => {
  test("a long-poll fetch does not delay a commit on the same broker", async () => {
    const busy = unique("busy");
    const idle = unique("idle");
    await createTopic(busy);
    await createTopic(idle);
    const cluster = new Cluster({ brokers: brokers() });
    try {
      {
        // The Writer on the same core; closing it leaves the core open for the readers.
        await using w = new Writer({ cluster, topic: busy });
        await w.writeMessages([{ value: "a" }, { value: "b" }, { value: "c" }]);
      }
      const groupId = unique("group");
      const group = new Reader({ cluster, groupId, topic: busy, maxWait: 200 });
      const single = new Reader({ cluster, topic: busy, partition: 0 });
      try {
        // Both readers work on the one core.
        const first = await group.readMessage();
        assert.equal(dec.decode(first.value!), "a");
        assert.deepEqual(
          [await single.readMessage(), await single.readMessage()].map((m) => dec.decode(m.value!)),
          ["a", "b"],
        );
        const second = await group.fetchMessage();
        assert.equal(dec.decode(second.value!), "b");

        // A fetch the broker holds (an idle topic, minBytes 1, maxWait 6 s) on the fetch lane…
        const { nodeId, topicId } = await cluster.leader(idle, 0);
        assert.equal((await cluster.leader(busy, 0)).nodeId, nodeId, "one broker serves both");
        // …and coordinates the group, so the commit below goes to the same broker.
        assert.equal(await cluster.coordinator("group", groupId), nodeId);
        const events: string[] = [];
        const fetch = cluster.request(
          Fetch,
          fetchRequest([{ topic: idle, topicId, partition: 0, offset: 0 }], {
            minBytes: 1,
            maxBytes: 1 << 20,
            maxWait: 6_000,
            readCommitted: false,
          }),
          { route: { to: "node", nodeId }, lane: "fetch", attempts: 1, timeout: 30_000 },
        ).then((res) => {
          events.push("fetch");
          return res;
        });
        // …and a commit to the same broker (the group's coordinator) meanwhile.
        await group.commitMessages([second]).then(() => events.push("commit"));
        const res = await fetch;
        assert.deepEqual(events, ["commit", "fetch"]);
        const part = res.responses[0].partitions[0];
        assert.equal(part.errorCode, 0);
        assert.equal(part.records?.length ?? 0, 0, "the fetch waited: nothing to return");
      } finally {
        await group.close();
        await single.close();
      }
      // Closing the readers left the shared core open.
      const after = new Reader({ cluster, topic: busy, partition: 0 });
      try {
        after.setOffset(2);
        assert.equal(dec.decode((await after.readMessage()).value!), "c");
      } finally {
        await after.close();
      }
      // The group committed "b" (offset 2): a new member starts at "c".
      const next = new Reader({ cluster, groupId, topic: busy });
      try {
        assert.equal(dec.decode((await next.readMessage()).value!), "c");
      } finally {
        await next.close();
      }
    } finally {
      await cluster.close();
    }
  });
});
