// kafka-go's 3-broker tutorial as written: the producer and the group consumer start at the
// same moment, on a topic that does not exist yet (the producer's metadata request creates it,
// with the cluster's replication factor 3). Every message is consumed (issue 20, item 1).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Reader, Writer } from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const dec = new TextDecoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`kafka-go 3-broker tutorial (${RUNTIME})`, () => {
  for (const groupProtocol of ["classic", "consumer"] as const) {
    test(`producer and ${groupProtocol} group consumer started together on a new topic`, async () => {
      const brokers = kafkaEnv("KAFKA_CLUSTER_BROKERS").split(",");
      const topic = `kafkit-tutorial-${groupProtocol}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
      const sent = Array.from({ length: 8 }, (_, i) => `this is message${i}`);
      await using r = new Reader({ brokers, topic, groupId: `${topic}-g`, groupProtocol });
      await using w = new Writer({ brokers, topic, allowAutoTopicCreation: true });
      const produce = (async () => {
        for (let i = 0; i < sent.length; i++) {
          await w.writeMessages([{ key: String(i), value: sent[i] }]);
          await sleep(100);
        }
      })();
      const received: string[] = [];
      const signal = AbortSignal.timeout(40_000);
      while (received.length < sent.length) {
        received.push(dec.decode((await r.readMessage({ signal })).value!));
      }
      await produce;
      assert.deepEqual(received, sent);
    });
  }
});
