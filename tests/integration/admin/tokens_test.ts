// Delegation tokens on the harness broker, which enables them. A token can only be made over
// a connection that authenticated with SASL, so the client logs in as the harness's SCRAM
// user; the Java client then authenticates WITH the token (SCRAM, tokenauth=true).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, KafkaError } from "../../../mod.ts";
import { eventually } from "../../_eventually.ts";
import { kafkaEnv, RUNTIME } from "../../_env.ts";
import { javaTool } from "../../_java.ts";
import { adminClient, uniqueName } from "./_admin.ts";

function saslAdmin(): Client {
  return new Client({
    brokers: kafkaEnv("KAFKA_SASL_BROKERS").split(","),
    sasl: {
      mechanism: "SCRAM-SHA-512",
      username: kafkaEnv("KAFKA_SASL_USER"),
      password: kafkaEnv("KAFKA_SASL_PASSWORD"),
    },
  });
}

// A broker learns tokens from the metadata log a moment late: checks use eventually().

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

describe(`admin: delegation tokens (${RUNTIME})`, () => {
  test("create, describe, authenticate with, renew and expire a token", async () => {
    await using admin = saslAdmin();
    const me = `User:${kafkaEnv("KAFKA_SASL_USER")}`;
    const renewer = `User:${uniqueName("renewer")}`;
    const t0 = Date.now();
    const token = await admin.createDelegationToken({
      renewers: [renewer],
      maxLifetime: 3_600_000,
    });
    try {
      assert.equal(token.owner, me);
      assert.equal(token.requester, me);
      assert.deepEqual(token.renewers, [renewer]);
      assert.match(token.tokenId, /^[\w-]{22}$/);
      assert.ok(token.hmac.length >= 32, `hmac of ${token.hmac.length} bytes`);
      assert.ok(token.issueTime.getTime() >= t0 - 1_000 && token.issueTime <= token.expiryTime);
      assert.equal(token.maxTime.getTime() - token.issueTime.getTime(), 3_600_000);

      const described = await eventually(async () => {
        const found = (await admin.describeDelegationTokens([me]))
          .find((t) => t.tokenId === token.tokenId);
        assert.ok(found, "the token is described");
        return found;
      });
      assert.deepEqual(described, token);
      const all = await admin.describeDelegationTokens();
      assert.ok(all.some((t) => t.tokenId === token.tokenId));
      assert.deepEqual(await admin.describeDelegationTokens([`User:${uniqueName("nobody")}`]), []);

      // The token is a SCRAM login: its id the username, its hmac (base64) the password.
      const dir = mkdtempSync(join(tmpdir(), "kafkit-token-"));
      try {
        const config = join(dir, "token.properties");
        writeFileSync(
          config,
          [
            "security.protocol=SASL_PLAINTEXT",
            "sasl.mechanism=SCRAM-SHA-512",
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required " +
            `username="${token.tokenId}" password="${base64(token.hmac)}" tokenauth="true";`,
          ].join("\n"),
        );
        await javaTool("org.apache.kafka.tools.ClusterTool", [
          "cluster-id",
          "--bootstrap-server",
          kafkaEnv("KAFKA_SASL_BROKERS"),
          "--config",
          config,
        ]).then((out) => assert.match(out, /Cluster ID: [\w-]{22}/));
      } finally {
        rmSync(dir, { recursive: true });
      }

      const renewed = await eventually(() => admin.renewDelegationToken(token.hmac, 600_000));
      assert.ok(Math.abs(renewed.getTime() - (Date.now() + 600_000)) < 60_000, String(renewed));
      const later = await admin.expireDelegationToken(token.hmac, 300_000);
      assert.ok(later < renewed, `${later} before ${renewed}`);
      await eventually(async () => {
        const [after] = (await admin.describeDelegationTokens([me]))
          .filter((t) => t.tokenId === token.tokenId);
        assert.deepEqual(after.expiryTime, later);
      });
    } finally {
      // A negative period expires the token at once: the broker forgets it.
      await eventually(() => admin.expireDelegationToken(token.hmac, -1));
    }
    await eventually(async () => {
      const left = await admin.describeDelegationTokens([me]);
      assert.ok(!left.some((t) => t.tokenId === token.tokenId), "the token is gone");
    });
    await assert.rejects(
      admin.renewDelegationToken(token.hmac, 1_000),
      (e) => e instanceof KafkaError && e.errorName === "DELEGATION_TOKEN_NOT_FOUND",
    );
  });

  test("a token for another owner names both owner and requester (KIP-373)", async () => {
    await using admin = saslAdmin();
    const owner = `User:${uniqueName("owner")}`;
    const me = `User:${kafkaEnv("KAFKA_SASL_USER")}`;
    // Only a token's owner and renewers may expire it, super user or not.
    const token = await admin.createDelegationToken({ owner, renewers: [me] });
    try {
      assert.equal(token.owner, owner);
      assert.equal(token.requester, me);
      const described = await eventually(async () => {
        const [found] = await admin.describeDelegationTokens([owner]);
        assert.ok(found, "the token is described");
        return found;
      });
      assert.equal(described.tokenId, token.tokenId);
      assert.equal(described.requester, me);
      assert.deepEqual(described.renewers, [me]);
    } finally {
      await eventually(() => admin.expireDelegationToken(token.hmac, -1));
    }
  });

  test("tokens need an authenticated connection; bad input names the field", async () => {
    await using plain = adminClient();
    await assert.rejects(
      plain.createDelegationToken(),
      (e) => e instanceof KafkaError && e.errorName === "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED",
    );
    await using nowhere = new Client({ brokers: "127.0.0.1:1", timeout: 2_000 });
    await assert.rejects(
      nowhere.createDelegationToken({ renewers: ["alice"] }),
      (e) => e instanceof TypeError && /renewers\[0\] must be a principal/.test(e.message),
    );
    await assert.rejects(
      nowhere.createDelegationToken({ owner: ":bob" }),
      (e) => e instanceof TypeError && /owner must be a principal/.test(e.message),
    );
    await assert.rejects(
      nowhere.createDelegationToken({ maxLifetime: 0 }),
      (e) => e instanceof RangeError && /maxLifetime/.test(e.message),
    );
    await assert.rejects(
      nowhere.renewDelegationToken("secret" as never, 1_000),
      (e) => e instanceof TypeError && /hmac must be/.test(e.message),
    );
    await assert.rejects(
      nowhere.expireDelegationToken(new Uint8Array(8), 1.5),
      (e) => e instanceof RangeError && /period/.test(e.message),
    );
    await assert.rejects(
      nowhere.describeDelegationTokens(["User:a", "b"]),
      (e) => e instanceof TypeError && /owners\[1\]/.test(e.message),
    );
  });
});
