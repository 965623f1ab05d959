import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AuthenticationError, Client, KafkaError } from "../../../mod.ts";
import { Connection } from "../../../src/core.ts";
import { Metadata } from "../../../src/protocol/mod.ts";
import type { SaslScramOptions } from "../../../src/transport/sasl/mod.ts";
import { hostPort, kafkaEnv, RUNTIME } from "../../_env.ts";
import { adminClient, uniqueName } from "./_admin.ts";
import { eventually } from "../../_eventually.ts";

/** Authenticates on the SASL listener and reads metadata; throws when the broker refuses. */
async function login(sasl: SaslScramOptions): Promise<void> {
  const conn = await Connection.connect({
    ...hostPort(kafkaEnv("KAFKA_SASL_BROKERS").split(",")[0]),
    sasl,
  });
  try {
    assert.ok((await conn.request(Metadata, { topics: null })).brokers.length >= 1);
  } finally {
    conn.close();
  }
}

describe(`admin: SCRAM credentials (${RUNTIME})`, () => {
  test("an upserted credential logs in, is described, and is gone once deleted", async () => {
    const user = uniqueName("scram-user");
    const password = `pw-${crypto.randomUUID()}`;
    const sasl = { mechanism: "SCRAM-SHA-256", username: user, password } as const;
    await using admin = adminClient();
    const upserted = await admin.upsertUserScramCredentials([
      { user, mechanism: "SCRAM-SHA-256", password, iterations: 8192 },
    ]);
    assert.deepEqual(upserted, [{ user, mechanism: "SCRAM-SHA-256" }]);
    try {
      // The broker checks the proof against keys derived from the salted password sent: a
      // login proves the client-side salting matches the SASL side's.
      await eventually(() => login(sasl));
      await assert.rejects(login({ ...sasl, password: `${password}-wrong` }), AuthenticationError);
      // SCRAM-SHA-512 has no credential for this user.
      await assert.rejects(login({ ...sasl, mechanism: "SCRAM-SHA-512" }), AuthenticationError);

      assert.deepEqual(await admin.describeUserScramCredentials([user]), [
        { user, credentials: [{ mechanism: "SCRAM-SHA-256", iterations: 8192 }] },
      ]);
      const all = await admin.describeUserScramCredentials();
      assert.deepEqual(all.find((d) => d.user === user)?.credentials, [
        { mechanism: "SCRAM-SHA-256", iterations: 8192 },
      ]);

      // A second mechanism, with a salt of the caller's and the default iterations.
      const salt = crypto.getRandomValues(new Uint8Array(20));
      const [added] = await admin.upsertUserScramCredentials([
        { user, mechanism: "SCRAM-SHA-512", password: "other-pw", salt },
      ]);
      assert.equal(added.error, undefined, String(added.error));
      await eventually(() => login({ ...sasl, mechanism: "SCRAM-SHA-512", password: "other-pw" }));
      const [both] = await admin.describeUserScramCredentials([user]);
      assert.deepEqual(
        both.credentials.toSorted((a, b) => a.mechanism.localeCompare(b.mechanism)),
        [
          { mechanism: "SCRAM-SHA-256", iterations: 8192 },
          { mechanism: "SCRAM-SHA-512", iterations: 4096 },
        ],
      );
    } finally {
      const deleted = await admin.deleteUserScramCredentials([
        { user, mechanism: "SCRAM-SHA-256" },
      ]);
      assert.deepEqual(deleted, [{ user, mechanism: "SCRAM-SHA-256" }]);
      await admin.deleteUserScramCredentials([{ user, mechanism: "SCRAM-SHA-512" }]);
    }
    await eventually(() => assert.rejects(login(sasl), AuthenticationError));
    const [gone] = await admin.describeUserScramCredentials([user]);
    assert.ok(gone.error instanceof KafkaError, String(gone.error));
    assert.equal(gone.error.errorName, "RESOURCE_NOT_FOUND");
    assert.deepEqual(gone.credentials, []);
  });

  test("per-user results: a missing credential or a user altered twice fails alone", async () => {
    const user = uniqueName("scram-user");
    const missing = uniqueName("scram-missing");
    await using admin = adminClient();
    const described = await admin.describeUserScramCredentials([missing, "alice"]);
    assert.deepEqual(described.map((d) => d.user), [missing, "alice"]);
    assert.equal((described[0].error as KafkaError).errorName, "RESOURCE_NOT_FOUND");
    assert.match(described[0].error!.message, /does not exist/);
    assert.equal(described[1].error, undefined);
    assert.ok(described[1].credentials.length > 0);

    const [up] = await admin.upsertUserScramCredentials([
      { user, mechanism: "SCRAM-SHA-512", password: "pw" },
    ]);
    assert.equal(up.error, undefined, String(up.error));
    const [ok, absent] = await admin.deleteUserScramCredentials([
      { user, mechanism: "SCRAM-SHA-512" },
      { user: missing, mechanism: "SCRAM-SHA-256" },
    ]);
    assert.deepEqual(ok, { user, mechanism: "SCRAM-SHA-512" });
    assert.equal((absent.error as KafkaError).errorName, "RESOURCE_NOT_FOUND");

    // Kafka alters a user once per request: both of this user's changes fail, nothing is set.
    const twice = await admin.upsertUserScramCredentials([
      { user, mechanism: "SCRAM-SHA-256", password: "a" },
      { user, mechanism: "SCRAM-SHA-512", password: "b" },
    ]);
    for (const r of twice) assert.equal((r.error as KafkaError).errorName, "DUPLICATE_RESOURCE");
    const [none] = await admin.describeUserScramCredentials([user]);
    assert.equal((none.error as KafkaError).errorName, "RESOURCE_NOT_FOUND");
  });

  test("bad input is a TypeError or RangeError naming the field, before anything is sent", async () => {
    await using admin = new Client({ brokers: ["127.0.0.1:1"], timeout: 60_000 });
    const bad: [Promise<unknown>, ErrorConstructor, RegExp][] = [
      [
        admin.upsertUserScramCredentials([{ user: "", mechanism: "SCRAM-SHA-256", password: "p" }]),
        TypeError,
        /upsertions\[0\]\.user/,
      ],
      [
        admin.upsertUserScramCredentials([
          { user: "u", mechanism: "SCRAM-SHA-1" as never, password: "p" },
        ]),
        TypeError,
        /upsertions\[0\]\.mechanism must be one of SCRAM-SHA-256, SCRAM-SHA-512/,
      ],
      [
        admin.upsertUserScramCredentials([{ user: "u", mechanism: "SCRAM-SHA-256", password: "" }]),
        TypeError,
        /upsertions\[0\]\.password/,
      ],
      [
        admin.upsertUserScramCredentials([
          { user: "u", mechanism: "SCRAM-SHA-256", password: "p", iterations: 1000 },
        ]),
        RangeError,
        /upsertions\[0\]\.iterations must be an integer in \[4096, 16384\]/,
      ],
      [
        admin.upsertUserScramCredentials([
          { user: "u", mechanism: "SCRAM-SHA-256", password: "p", salt: new Uint8Array() },
        ]),
        TypeError,
        /upsertions\[0\]\.salt/,
      ],
      [
        admin.deleteUserScramCredentials([{ user: "u", mechanism: undefined as never }]),
        TypeError,
        /deletions\[0\]\.mechanism/,
      ],
      [admin.describeUserScramCredentials(["ok", ""]), TypeError, /users\[1\]/],
    ];
    for (const [call, type, message] of bad) {
      await assert.rejects(call, (e: Error) => e instanceof type && message.test(e.message));
    }
  });
});
