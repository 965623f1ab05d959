// A KIP-848 group on the in-memory broker, shared by the tests of what a rebalance that takes
// partition 1 of 2 away does to a Reader.

import {
  type ConsumerGroupHeartbeatResponse,
  defaultConsumerGroupHeartbeatResponse,
} from "../../../src/protocol/generated/consumer_group_heartbeat.ts";
import { answerListOffsets, FakeKafka } from "../_fake_broker.ts";

/** A fake broker with topic `t` of 2 partitions and group `g`'s coordinator. */
export function twoPartitions(): { fake: FakeKafka; topicId: string } {
  const fake = new FakeKafka([1]);
  fake.createTopic("t", 2);
  answerListOffsets(fake);
  fake.coordinators.set("group/g", 1);
  return { fake, topicId: fake.topics.get("t")!.id };
}

/** A heartbeat answer: member-1 owns `partitions` of topic `topicId` at `epoch`. */
export function assignment(
  topicId: string,
  partitions: number[],
  epoch: number,
): ConsumerGroupHeartbeatResponse {
  return {
    ...defaultConsumerGroupHeartbeatResponse(),
    memberId: "member-1",
    memberEpoch: epoch,
    heartbeatIntervalMs: 50,
    assignment: { topicPartitions: [{ topicId, partitions }] },
  };
}
