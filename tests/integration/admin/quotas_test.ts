import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, KafkaError } from "../../../mod.ts";
import { kafkaEnv, RUNTIME } from "../../_env.ts";
import { javaTool } from "../../_java.ts";
import { adminClient, uniqueName } from "./_admin.ts";
import { eventually } from "../../_eventually.ts";

describe(`admin: client quotas (${RUNTIME})`, () => {
  test("set, describe (as kafka-configs shows them) and remove a user's quotas", async () => {
    const user = uniqueName("quota-user");
    const clientId = uniqueName("quota-client");
    await using admin = adminClient();
    const altered = await admin.alterClientQuotas([
      {
        entity: { user },
        ops: [{ key: "producer_byte_rate", value: 1024 }, {
          key: "consumer_byte_rate",
          value: 2048,
        }],
      },
      {
        entity: { user, "client-id": clientId },
        ops: [{ key: "request_percentage", value: 12.5 }],
      },
    ]);
    assert.deepEqual(altered, [{ entity: { user } }, { entity: { user, "client-id": clientId } }]);
    try {
      const exact = { components: [{ entityType: "user" as const, name: user }] };
      // Not strict: the user's own quotas and those of its client ids.
      await eventually(async () =>
        assert.deepEqual(
          sortEntries(await admin.describeClientQuotas(exact)),
          sortEntries([
            {
              entity: { user },
              values: { producer_byte_rate: 1024, consumer_byte_rate: 2048 },
            },
            { entity: { user, "client-id": clientId }, values: { request_percentage: 12.5 } },
          ]),
        )
      );
      assert.deepEqual(await admin.describeClientQuotas({ ...exact, strict: true }), [
        { entity: { user }, values: { producer_byte_rate: 1024, consumer_byte_rate: 2048 } },
      ]);
      assert.deepEqual(
        await admin.describeClientQuotas({
          components: [{ entityType: "user", name: user }, {
            entityType: "client-id",
            match: "any",
          }],
        }),
        [{ entity: { user, "client-id": clientId }, values: { request_percentage: 12.5 } }],
      );
      // Java's ConfigCommand reads the same quotas.
      const out = await javaTool("kafka.admin.ConfigCommand", [
        "--bootstrap-server",
        kafkaEnv("KAFKA_BROKERS").split(",")[0],
        "--describe",
        "--entity-type",
        "users",
        "--entity-name",
        user,
      ]);
      assert.match(out, new RegExp(`user-principal '${user}' are .*consumer_byte_rate=2048\\.0`));
      assert.match(out, /producer_byte_rate=1024\.0/);

      // validateOnly changes nothing; null removes one quota.
      await admin.alterClientQuotas([{
        entity: { user },
        ops: [{ key: "producer_byte_rate", value: 1 }],
      }], { validateOnly: true });
      await admin.alterClientQuotas([{
        entity: { user },
        ops: [{ key: "producer_byte_rate", value: null }],
      }]);
      await eventually(async () =>
        assert.deepEqual(await admin.describeClientQuotas({ ...exact, strict: true }), [
          { entity: { user }, values: { consumer_byte_rate: 2048 } },
        ])
      );
    } finally {
      const removed = await admin.alterClientQuotas([
        { entity: { user }, ops: [{ key: "consumer_byte_rate", value: null }] },
        {
          entity: { user, "client-id": clientId },
          ops: [{ key: "request_percentage", value: null }],
        },
      ]);
      assert.deepEqual(removed.map((r) => r.error), [undefined, undefined]);
    }
    await eventually(async () =>
      assert.deepEqual(
        await admin.describeClientQuotas({ components: [{ entityType: "user", name: user }] }),
        [],
      )
    );
  });

  test("a bad entity or key fails only its own entry, with the broker's message", async () => {
    const user = uniqueName("quota-user");
    await using admin = adminClient();
    const results = await admin.alterClientQuotas([
      { entity: { user }, ops: [{ key: "producer_byte_rate", value: 4096 }] },
      { entity: { ip: "not an address" }, ops: [{ key: "connection_creation_rate", value: 5 }] },
      { entity: { user: `${user}-b` }, ops: [{ key: "no_such_quota", value: 5 }] },
    ], { validateOnly: true });
    assert.deepEqual(results[0], { entity: { user } });
    for (const [r, message] of [[results[1], /not a valid IP/], [results[2], /no_such_quota/]]) {
      const e = (r as { error?: Error }).error;
      assert.ok(e instanceof KafkaError, String(e));
      assert.equal(e.errorName, "INVALID_REQUEST");
      assert.match(e.message, message as RegExp);
    }
  });

  test("bad input is a TypeError naming the field, before anything is sent", async () => {
    await using admin = new Client({ brokers: ["127.0.0.1:1"], timeout: 60_000 });
    const bad: [Promise<unknown>, RegExp][] = [
      [
        admin.describeClientQuotas({ components: [{ entityType: "group" as never, name: "x" }] }),
        /filter\.components\[0\]\.entityType/,
      ],
      [
        admin.describeClientQuotas({ components: [{ entityType: "user" }] }),
        /filter\.components\[0\]\.name/,
      ],
      [
        admin.describeClientQuotas({
          components: [{ entityType: "user", match: "default", name: "x" }],
        }),
        /name must be left out for match "default"/,
      ],
      [admin.alterClientQuotas([{ entity: {}, ops: [] }]), /alterations\[0\]\.entity must name/],
      [
        admin.alterClientQuotas([{ entity: { group: "g" } as never, ops: [] }]),
        /alterations\[0\]\.entity key must be one of user, client-id, ip/,
      ],
      [
        admin.alterClientQuotas([{ entity: { user: "" }, ops: [] }]),
        /alterations\[0\]\.entity\["user"\]/,
      ],
      [
        admin.alterClientQuotas([{ entity: { user: "u" }, ops: [{ key: "k", value: NaN }] }]),
        /alterations\[0\]\.ops\[0\]\.value must be a finite number/,
      ],
      [
        admin.alterClientQuotas([{ entity: { user: "u" }, ops: [{ key: "", value: 1 }] }]),
        /alterations\[0\]\.ops\[0\]\.key/,
      ],
    ];
    for (const [call, message] of bad) {
      await assert.rejects(call, (e: Error) => e instanceof TypeError && message.test(e.message));
    }
  });
});

/** Entries in a stable order (the broker's order is its map's). */
function sortEntries<T extends { entity: object }>(entries: T[]): T[] {
  return entries.toSorted((a, b) =>
    JSON.stringify(a.entity).localeCompare(JSON.stringify(b.entity))
  );
}
