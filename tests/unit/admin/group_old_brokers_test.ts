// What the group calls do with brokers older than the APIs they prefer (a fake cluster whose
// ApiVersions is capped, so the real negotiation and codecs run).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "../../../src/admin/client.ts";
import { UnsupportedVersionError } from "../../../src/errors.ts";
import { ErrorCodes, KafkaError } from "../../../src/protocol/errors.ts";
import {
  ConsumerGroupDescribe,
  defaultConsumerGroupDescribeResponseDescribedGroup,
} from "../../../src/protocol/generated/consumer_group_describe.ts";
import {
  defaultDescribeGroupsResponseDescribedGroup,
  DescribeGroups,
} from "../../../src/protocol/generated/describe_groups.ts";
import { ListGroups } from "../../../src/protocol/generated/list_groups.ts";
import { ShareGroupDescribe } from "../../../src/protocol/generated/share_group_describe.ts";
import { FakeKafka } from "../_fake_broker.ts";

/** A one-node cluster that speaks ListGroups up to v3 and has no KIP-848 or share groups. */
function oldBroker(): FakeKafka {
  const fake = new FakeKafka([1]);
  const node = fake.node(1);
  node.maxVersion.set(ListGroups.key, 3);
  node.maxVersion.set(DescribeGroups.key, 5);
  node.maxVersion.set(ConsumerGroupDescribe.key, -1);
  node.maxVersion.set(ShareGroupDescribe.key, -1);
  // Versions before 4 and 5 carry no state and no type: the codec leaves them out.
  fake.on(ListGroups, () => ({
    throttleTimeMs: 0,
    errorCode: 0,
    groups: [{ groupId: "app", protocolType: "consumer", groupState: "Stable", groupType: "" }],
  }));
  // How such a broker describes a group it does not know: Dead, no protocol, no error.
  fake.on(DescribeGroups, (req) => ({
    throttleTimeMs: 0,
    groups: req.groups!.map((groupId) => ({
      ...defaultDescribeGroupsResponseDescribedGroup(),
      groupId,
      groupState: "Dead",
    })),
  }));
  fake.coordinators.set("group/gone", 1);
  return fake;
}

describe("admin: groups on older brokers", () => {
  test("listGroups: groups are classic; a filter the broker cannot apply is refused", async () => {
    const fake = oldBroker();
    await using admin = new Client({ brokers: fake.brokers, connect: fake.connect });
    assert.deepEqual(await admin.listGroups(), [
      { groupId: "app", protocolType: "consumer", state: "", type: "classic" },
    ]);
    await assert.rejects(
      admin.listGroups({ states: ["Stable"] }),
      (e) => e instanceof UnsupportedVersionError && /by state/.test(e.message),
    );
    await assert.rejects(
      admin.listGroups({ types: ["consumer"] }),
      (e) => e instanceof UnsupportedVersionError && /by type/.test(e.message),
    );
  });

  test("describeGroups: a Dead, empty group is not found; the APIs the broker lacks are skipped", async () => {
    const fake = oldBroker();
    await using admin = new Client({ brokers: fake.brokers, connect: fake.connect });
    const [gone] = await admin.describeGroups(["gone"]);
    assert.ok(gone.error instanceof KafkaError, String(gone.error));
    assert.equal(gone.error.errorName, "GROUP_ID_NOT_FOUND");
    assert.match(gone.error.message, /groupId=gone/);
    assert.deepEqual(fake.requests("ConsumerGroupDescribe"), []);
    assert.deepEqual(fake.requests("ShareGroupDescribe"), []);
  });

  test("describeGroups: ConsumerGroupDescribe advertised but refused per group (Kafka 3.7-3.9) is skipped", async () => {
    const fake = oldBroker();
    // Such brokers list the API, and answer it UNSUPPORTED_VERSION while KIP-848 is off.
    fake.node(1).maxVersion.set(ConsumerGroupDescribe.key, 0);
    fake.on(ConsumerGroupDescribe, (req) => ({
      throttleTimeMs: 0,
      groups: req.groupIds!.map((groupId) => ({
        ...defaultConsumerGroupDescribeResponseDescribedGroup(),
        groupId,
        errorCode: ErrorCodes.UNSUPPORTED_VERSION,
      })),
    }));
    await using admin = new Client({ brokers: fake.brokers, connect: fake.connect });
    const [gone] = await admin.describeGroups(["gone"]);
    assert.equal(fake.requests("ConsumerGroupDescribe").length, 1);
    assert.ok(gone.error instanceof KafkaError, String(gone.error));
    assert.equal(gone.error.errorName, "GROUP_ID_NOT_FOUND");
  });
});
