// ACLs against the harness's StandardAuthorizer. Its harness users are super users (whom ACLs
// never stop), so the effect is shown on a SCRAM user made for the test; every ACL is on this
// test's own topic name and is deleted at the end.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { type Acl, type AclInput, Client, Dialer, dialLeader, KafkaError } from "../../../mod.ts";
import { AlterUserScramCredentials } from "../../../src/protocol/mod.ts";
import { kafkaEnv, RUNTIME } from "../../_env.ts";
import { javaTool } from "../../_java.ts";
import { adminClient, uniqueName } from "./_admin.ts";
import { eventually } from "../../_eventually.ts";

const byOperation = (a: Acl, b: Acl) => a.operation.localeCompare(b.operation);

describe(`admin: ACLs (${RUNTIME})`, () => {
  test("create, describe by filter, take effect for a user, match kafka-acls, delete", async () => {
    await using admin = adminClient();
    const brokers = kafkaEnv("KAFKA_BROKERS");
    const topic = uniqueName("acls");
    const user = uniqueName("acl-user");
    const password = randomBytes(12).toString("hex");
    const principal = `User:${user}`;
    // The topic (auto-created by the lookup) and a SCRAM-SHA-512 user who is not a super user.
    await (await dialLeader(brokers.split(",")[0], topic, 0)).close();
    const salt = randomBytes(16);
    const scram = await admin.request(AlterUserScramCredentials, {
      upsertions: [{
        name: user,
        mechanism: 2,
        iterations: 4096,
        salt,
        saltedPassword: pbkdf2Sync(password, salt, 4096, 64, "sha512"),
      }],
    });
    assert.deepEqual(scram.results.map((r) => r.errorCode), [0]);
    const dialer = new Dialer({ sasl: { mechanism: "SCRAM-SHA-512", username: user, password } });
    const acls: AclInput[] = [
      // The user may see the topic (a resource with ACLs is closed to everyone else) ...
      {
        resourceType: "topic",
        resourceName: topic,
        patternType: "literal",
        principal,
        operation: "describe",
        permission: "allow",
      },
      // ... but not write to it, nor to any topic named with this one as prefix.
      {
        resourceType: "topic",
        resourceName: topic,
        patternType: "prefixed",
        principal,
        host: "*",
        operation: "write",
        permission: "deny",
      },
    ];
    try {
      await using conn = await eventually(
        () => dialer.dialLeader(kafkaEnv("KAFKA_SASL_BROKERS").split(",")[0], topic, 0),
      );
      // No ACL on the topic yet: the harness leaves it open.
      await conn.writeMessages([{ value: "before" }]);

      const created = await admin.createAcls(acls);
      assert.deepEqual(created.map((r) => r.error), [undefined, undefined]);
      assert.deepEqual(created.map((r) => r.acl.host), ["*", "*"]);

      // The broker that answers DescribeAcls applies the controller's change a moment later.
      const mine = await eventually(async () => {
        const found = (await admin.describeAcls({ principal })).sort(byOperation);
        assert.deepEqual(found, [{ ...acls[0], host: "*" }, { ...acls[1] }] as Acl[]);
        return found;
      });
      const literal = await admin.describeAcls({ resourceName: topic, patternType: "literal" });
      assert.deepEqual(literal.map((a) => a.operation), ["describe"]);
      const prefixed = await admin.describeAcls({
        resourceType: "topic",
        resourceName: topic,
        patternType: "prefixed",
        permission: "deny",
      });
      assert.deepEqual(prefixed.map((a) => [a.operation, a.permission]), [["write", "deny"]]);
      // "match": every ACL that applies to a topic named with this prefix.
      const matching = await admin.describeAcls({
        resourceType: "topic",
        resourceName: `${topic}-child`,
        patternType: "match",
        principal,
      });
      assert.deepEqual(matching.map((a) => a.operation), ["write"]);
      assert.deepEqual(await admin.describeAcls({ principal: `User:${user}-other` }), []);

      // The Java tool lists the same two bindings for the topic (of any pattern type: it
      // shows only the literal ones by default).
      const listed = await javaTool("org.apache.kafka.tools.AclCommand", [
        "--bootstrap-server",
        brokers,
        "--list",
        "--topic",
        topic,
        "--resource-pattern-type",
        "any",
      ]);
      const resource = /resourceType=TOPIC, name=(\S+), patternType=(\w+)\)`:\s*\n/;
      const aclLines = /((?:\s*\(principal=.*\)\s*\n?)+)/;
      const bindings = [...listed.matchAll(new RegExp(resource.source + aclLines.source, "g"))]
        .flatMap(([, name, pattern, lines]) =>
          [...lines.matchAll(
            /principal=([^,]+), host=([^,]+), operation=(\w+), permissionType=(\w+)/g,
          )].map(([, p, host, op, perm]) =>
            [name, pattern.toLowerCase(), p, host, op.toLowerCase(), perm.toLowerCase()].join(" ")
          )
        ).sort();
      assert.deepEqual(
        bindings,
        mine.map((a) =>
          [a.resourceName, a.patternType, a.principal, a.host, a.operation, a.permission].join(" ")
        ).sort(),
        listed,
      );

      // The deny takes effect for the user (the authorizer learns ACLs from the metadata log).
      await eventually(async () => {
        await assert.rejects(
          conn.writeMessages([{ value: "denied" }]),
          (e) => e instanceof KafkaError && e.errorName === "TOPIC_AUTHORIZATION_FAILED",
        );
      });

      const deleted = await admin.deleteAcls([
        { resourceType: "topic", resourceName: topic, principal },
        { resourceName: uniqueName("acls-none"), principal },
      ]);
      assert.equal(deleted[0].error, undefined);
      assert.deepEqual(deleted[0].deleted.map((d) => d.acl).sort(byOperation), mine);
      assert.deepEqual(deleted[0].deleted.map((d) => d.error), [undefined, undefined]);
      assert.deepEqual(deleted[1], {
        filter: { resourceName: deleted[1].filter.resourceName, principal },
        deleted: [],
      });
      assert.deepEqual(await admin.describeAcls({ principal }), []);
      // Without ACLs the topic is open again.
      await eventually(() => conn.writeMessages([{ value: "after" }]));
    } finally {
      await admin.deleteAcls([{ resourceName: topic, principal }]);
      await admin.request(AlterUserScramCredentials, {
        deletions: [{ name: user, mechanism: 2 }],
      });
    }
  });

  test("bad bindings and filters are TypeErrors naming the field, before sending", async () => {
    // Nothing listens here: a request would fail differently.
    await using admin = new Client({ brokers: "127.0.0.1:1", timeout: 2_000 });
    const good: AclInput = {
      resourceType: "topic",
      resourceName: "t",
      patternType: "literal",
      principal: "User:x",
      operation: "read",
      permission: "allow",
    };
    const cases: [Partial<Record<keyof AclInput, unknown>>, RegExp][] = [
      [{ resourceType: "topik" }, /acls\[1\]\.resourceType must be one of topic, group/],
      [{ resourceType: "any" }, /acls\[1\]\.resourceType/],
      [{ patternType: "match" }, /acls\[1\]\.patternType must be one of literal, prefixed/],
      [{ operation: "reed" }, /acls\[1\]\.operation must be one of all, read, write/],
      [{ operation: "any" }, /acls\[1\]\.operation/],
      [{ permission: "maybe" }, /acls\[1\]\.permission must be one of deny, allow/],
      [{ principal: "alice" }, /acls\[1\]\.principal must be a principal "Type:name"/],
      [{ resourceName: "" }, /acls\[1\]\.resourceName must be a non-empty string/],
      [{ host: "" }, /acls\[1\]\.host/],
    ];
    for (const [change, message] of cases) {
      await assert.rejects(
        admin.createAcls([good, { ...good, ...change } as AclInput]),
        (e) => e instanceof TypeError && message.test(e.message),
        JSON.stringify(change),
      );
    }
    await assert.rejects(admin.createAcls("x" as never), /acls must be an array/);
    await assert.rejects(
      admin.describeAcls({ operation: "reed" as never }),
      /filter\.operation must be one of any, all, read/,
    );
    await assert.rejects(
      admin.describeAcls({ principal: "User:" }),
      /filter\.principal must be a principal/,
    );
    await assert.rejects(
      admin.deleteAcls([{}, { patternType: "exact" as never }]),
      /filters\[1\]\.patternType must be one of any, match, literal, prefixed/,
    );
    // Empty lists need no broker.
    assert.deepEqual(await admin.createAcls([]), []);
    assert.deepEqual(await admin.deleteAcls([]), []);
  });
});
