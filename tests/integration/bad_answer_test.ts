// One answer that does not decode must not end a group Reader: the connection it came on is
// closed, the request goes again on a new one, and onError hears of the DecodeError. A proxy
// in front of the real broker corrupts exactly one answer of the API under test.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DecodeError, dial, Reader, Writer } from "../../mod.ts";
import { ConsumerGroupHeartbeat } from "../../src/protocol/generated/consumer_group_heartbeat.ts";
import { FindCoordinator } from "../../src/protocol/generated/find_coordinator.ts";
import { JoinGroup } from "../../src/protocol/generated/join_group.ts";
import { OffsetFetch } from "../../src/protocol/generated/offset_fetch.ts";
import { SyncGroup } from "../../src/protocol/generated/sync_group.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { FaultProxy } from "../_fault_proxy.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const unique = (name: string) =>
  `kafkit-badanswer-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const dec = new TextDecoder();
const COUNT = 40;

const cases = [
  { protocol: "classic", api: FindCoordinator },
  { protocol: "classic", api: JoinGroup },
  { protocol: "classic", api: SyncGroup },
  { protocol: "classic", api: OffsetFetch },
  { protocol: "consumer", api: FindCoordinator },
  { protocol: "consumer", api: ConsumerGroupHeartbeat },
] as const;

describe(`a group Reader after one undecodable answer (${RUNTIME})`, () => {
  for (const { protocol, api } of cases) {
    test(`${protocol} protocol, ${api.name}: reads everything; onError saw the DecodeError`, async () => {
      const topic = unique(`${protocol}-${api.name}`);
      {
        await using conn = await dial(brokers()[0]);
        await conn.createTopics([{ topic, numPartitions: 2, replicationFactor: 1 }]);
        await using w = new Writer({ brokers: brokers(), topic });
        await w.writeMessages(
          Array.from({ length: COUNT }, (_, i) => ({ key: `k${i}`, value: String(i) })),
        );
      }
      const proxy = new FaultProxy();
      let corrupted = false;
      void proxy.corruptNextAnswer(api.key).then(() => corrupted = true);
      const errors: unknown[] = [];
      const reader = new Reader({
        brokers: brokers(),
        topic,
        groupId: unique(`g-${protocol}-${api.name}`),
        groupProtocol: protocol,
        connect: proxy.connect,
        heartbeatInterval: 500,
        sessionTimeout: 10_000,
        maxWait: 200,
        onError: (e) => errors.push(e),
      });
      try {
        const seen = new Set<number>();
        const signal = AbortSignal.timeout(30_000);
        while (seen.size < COUNT) {
          const m = await reader.readMessage({ signal });
          seen.add(Number(dec.decode(m.value!)));
        }
        assert.equal(corrupted, true, `one ${api.name} answer was corrupted`);
        assert.ok(
          errors.some((e) => e instanceof DecodeError && e.message.includes(api.name)),
          `onError saw the DecodeError: ${errors.map(String).join("; ")}`,
        );
        assert.deepEqual([...seen].sort((a, b) => a - b), [...Array(COUNT).keys()]);
      } finally {
        await reader.close();
        await proxy.close();
      }
    });
  }
});
