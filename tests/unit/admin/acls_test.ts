// The ACL names as Kafka numbers them on the wire, and per-item answers, against in-memory
// brokers (the real broker's checks are in tests/integration/admin/acls_test.ts).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type AclInput, Client, KafkaError } from "../../../mod.ts";
import {
  CreateAcls,
  type CreateAclsRequest,
  defaultAclCreationResult,
} from "../../../src/protocol/generated/create_acls.ts";
import {
  defaultDeleteAclsFilterResult,
  defaultDeleteAclsMatchingAcl,
  DeleteAcls,
  type DeleteAclsRequest,
} from "../../../src/protocol/generated/delete_acls.ts";
import {
  defaultDescribeAclsResponse,
  DescribeAcls,
  type DescribeAclsRequest,
} from "../../../src/protocol/generated/describe_acls.ts";
import { FakeKafka, withCluster } from "../_fake_broker.ts";

// Kafka's codes (ResourceType, AclOperation, PatternType, AclPermissionType).
const RESOURCE_TYPES = {
  topic: 2,
  group: 3,
  cluster: 4,
  "transactional-id": 5,
  "delegation-token": 6,
  user: 7,
} as const;
const OPERATIONS = {
  all: 2,
  read: 3,
  write: 4,
  create: 5,
  delete: 6,
  alter: 7,
  describe: 8,
  "cluster-action": 9,
  "describe-configs": 10,
  "alter-configs": 11,
  "idempotent-write": 12,
  "create-tokens": 13,
  "describe-tokens": 14,
  "two-phase-commit": 15,
} as const;

const binding = (over: Partial<AclInput> = {}): AclInput => ({
  resourceType: "topic",
  resourceName: "t",
  patternType: "literal",
  principal: "User:bob",
  operation: "read",
  permission: "allow",
  ...over,
});

describe("admin ACLs on the wire", () => {
  test("every name is sent as Kafka's code; each binding gets its own result", async () => {
    const fake = new FakeKafka([1]);
    fake.on(CreateAcls, (req) => ({
      throttleTimeMs: 0,
      results: (req.creations ?? []).map((c) =>
        c.resourceName === "refused"
          ? { errorCode: 42, errorMessage: "no such thing" } // INVALID_REQUEST
          : defaultAclCreationResult()
      ),
    }));
    const acls: AclInput[] = [
      ...Object.keys(RESOURCE_TYPES).map((t) =>
        binding({ resourceType: t as AclInput["resourceType"] })
      ),
      ...Object.keys(OPERATIONS).map((o) => binding({ operation: o as AclInput["operation"] })),
      binding({ patternType: "prefixed", permission: "deny", host: "10.0.0.1" }),
      binding({ resourceName: "refused" }),
    ];
    await withCluster(fake, async (cluster) => {
      const results = await new Client({ cluster }).createAcls(acls);
      const [req] = fake.requests("CreateAcls").map((r) => r.body as CreateAclsRequest);
      const sent = req.creations!;
      assert.deepEqual(
        sent.slice(0, 6).map((c) => c.resourceType),
        Object.values(RESOURCE_TYPES),
      );
      assert.deepEqual(sent.slice(6, 20).map((c) => c.operation), Object.values(OPERATIONS));
      assert.deepEqual(sent[0], {
        resourceType: 2,
        resourceName: "t",
        resourcePatternType: 3,
        principal: "User:bob",
        host: "*",
        operation: 3,
        permissionType: 3,
      });
      assert.deepEqual([sent[20].resourcePatternType, sent[20].permissionType], [4, 2]);
      assert.equal(sent[20].host, "10.0.0.1");
      assert.equal(results.length, acls.length);
      assert.deepEqual(
        results.slice(0, -1).map((r) => r.error),
        acls.slice(0, -1).map(() => undefined),
      );
      assert.deepEqual(results[20].acl, { ...acls[20] });
      const refused = results.at(-1)!;
      assert.ok(refused.error instanceof KafkaError);
      assert.equal(refused.error.errorName, "INVALID_REQUEST");
      assert.match(refused.error.message, /no such thing/);
    });
  });

  test("a filter's absent fields are any; described codes come back as names", async () => {
    const fake = new FakeKafka([1]);
    fake.on(DescribeAcls, (req) => ({
      ...defaultDescribeAclsResponse(),
      resources: req.principalFilter === "User:broken" ? [] : [{
        resourceType: 5,
        resourceName: "tx-",
        patternType: 4,
        acls: [{ principal: "User:bob", host: "*", operation: 12, permissionType: 2 }],
      }],
      ...(req.principalFilter === "User:broken"
        ? { errorCode: 54, errorMessage: "authorizer off" } // SECURITY_DISABLED
        : {}),
    }));
    await withCluster(fake, async (cluster) => {
      const admin = new Client({ cluster });
      assert.deepEqual(await admin.describeAcls(), [{
        resourceType: "transactional-id",
        resourceName: "tx-",
        patternType: "prefixed",
        principal: "User:bob",
        host: "*",
        operation: "idempotent-write",
        permission: "deny",
      }]);
      await admin.describeAcls({ resourceName: "x", patternType: "match", operation: "any" });
      const [any, some] = fake.requests("DescribeAcls").map((r) => r.body as DescribeAclsRequest);
      assert.deepEqual(any, {
        resourceTypeFilter: 1,
        resourceNameFilter: null,
        patternTypeFilter: 1,
        principalFilter: null,
        hostFilter: null,
        operation: 1,
        permissionType: 1,
      });
      assert.deepEqual([some.resourceNameFilter, some.patternTypeFilter], ["x", 2]);
      await assert.rejects(
        admin.describeAcls({ principal: "User:broken" }),
        (e) =>
          e instanceof KafkaError && e.errorName === "SECURITY_DISABLED" &&
          /authorizer off/.test(e.message),
      );
    });
  });

  test("deleteAcls answers per filter, with each matched binding and its own error", async () => {
    const fake = new FakeKafka([1]);
    fake.on(DeleteAcls, (req) => ({
      throttleTimeMs: 0,
      filterResults: (req.filters ?? []).map((f) =>
        f.resourceNameFilter === "t"
          ? {
            ...defaultDeleteAclsFilterResult(),
            matchingAcls: [
              {
                ...defaultDeleteAclsMatchingAcl(),
                resourceType: 2,
                resourceName: "t",
                patternType: 3,
                principal: "User:a",
                host: "*",
                operation: 4,
                permissionType: 3,
              },
              {
                ...defaultDeleteAclsMatchingAcl(),
                errorCode: 31,
                errorMessage: "nope",
                resourceType: 2,
                resourceName: "t",
                patternType: 3,
                principal: "User:b",
                host: "*",
                operation: 3,
                permissionType: 2,
              },
            ],
          }
          : { ...defaultDeleteAclsFilterResult(), errorCode: 42, errorMessage: "bad filter" }
      ),
    }));
    await withCluster(fake, async (cluster) => {
      const [t, other] = await new Client({ cluster }).deleteAcls([
        { resourceName: "t" },
        { resourceName: "u", permission: "deny" },
      ]);
      assert.equal(t.error, undefined);
      assert.deepEqual(t.deleted.map((d) => [d.acl.principal, d.acl.operation, d.acl.permission]), [
        ["User:a", "write", "allow"],
        ["User:b", "read", "deny"],
      ]);
      assert.equal(t.deleted[0].error, undefined);
      assert.equal((t.deleted[1].error as KafkaError).errorName, "CLUSTER_AUTHORIZATION_FAILED");
      assert.deepEqual(other.filter, { resourceName: "u", permission: "deny" });
      assert.deepEqual(other.deleted, []);
      assert.equal((other.error as KafkaError).errorName, "INVALID_REQUEST");
      const [req] = fake.requests("DeleteAcls").map((r) => r.body as DeleteAclsRequest);
      assert.equal(req.filters![1].permissionType, 2);
    });
  });
});
