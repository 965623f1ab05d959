// A cluster that lists ConsumerGroupHeartbeat but refuses it (Kafka 3.7-3.9 with KIP-848 off,
// as their ApiVersions has it at v0): a `consumer` protocol group fails with a typed error
// that says what to do, not a bare UNSUPPORTED_VERSION.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConsumerGroup, UnsupportedVersionError } from "../../../mod.ts";
import { ErrorCodes, KafkaError } from "../../../src/protocol/errors.ts";
import {
  ConsumerGroupHeartbeat,
  defaultConsumerGroupHeartbeatResponse,
} from "../../../src/protocol/generated/consumer_group_heartbeat.ts";
import { FakeKafka } from "../_fake_broker.ts";

describe("consumer group protocol on a cluster that refuses it", () => {
  test("the group fails with UnsupportedVersionError naming the classic protocol", async () => {
    const fake = new FakeKafka([1]);
    fake.createTopic("t", 2);
    fake.coordinators.set("group/g", 1);
    fake.node(1).maxVersion.set(ConsumerGroupHeartbeat.key, 0);
    fake.on(ConsumerGroupHeartbeat, () => ({
      ...defaultConsumerGroupHeartbeatResponse(),
      errorCode: ErrorCodes.UNSUPPORTED_VERSION,
    }));
    await using group = new ConsumerGroup({
      id: "g",
      brokers: fake.brokers,
      connect: fake.connect,
      topics: ["t"],
      groupProtocol: "consumer",
    });
    const err = await group.next().then(() => undefined, (e) => e);
    assert.ok(err instanceof UnsupportedVersionError, `got ${err}`);
    assert.match(err.message, /group g: .*KIP-848.*groupProtocol "classic"/);
    assert.ok(err.cause instanceof KafkaError && err.cause.errorName === "UNSUPPORTED_VERSION");
    assert.equal(fake.requests("ConsumerGroupHeartbeat").length, 1, "not retried");
  });
});
