// An option older brokers would drop (the token's owner, KIP-373) is refused before sending,
// against an in-memory broker (the real lifecycle is in tests/integration/admin/tokens_test.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, UnsupportedVersionError } from "../../../mod.ts";
import { CreateDelegationToken } from "../../../src/protocol/generated/create_delegation_token.ts";
import { FakeKafka, withCluster } from "../_fake_broker.ts";

describe("admin delegation tokens on the wire", () => {
  test("a broker without CreateDelegationToken v3 refuses an owner before sending", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).maxVersion.set(CreateDelegationToken.key, 2);
    await withCluster(fake, async (cluster) => {
      await assert.rejects(
        new Client({ cluster }).createDelegationToken({ owner: "User:bob" }),
        (e) =>
          e instanceof UnsupportedVersionError &&
          /owner needs CreateDelegationToken v3/.test(e.message),
      );
      assert.equal(fake.requests("CreateDelegationToken").length, 0);
    });
  });
});
