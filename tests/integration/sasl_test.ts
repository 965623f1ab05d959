import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { AuthenticationError } from "../../mod.ts";
import { Connection, type ConnectionOptions } from "../../src/core.ts";
import { AlterUserScramCredentials, Metadata } from "../../src/protocol/mod.ts";
import type { SaslOptions } from "../../src/transport/sasl/mod.ts";
import { hostPort, kafkaEnv, RUNTIME } from "../_env.ts";

/** An unsecured JWT (`alg` none, empty signature) as Kafka's unsecured validator accepts it. */
export function unsecuredJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  return `${part({ alg: "none" })}.${part(claims)}.`;
}

/** A JWT for `sub` valid from now for an hour, unless the claims say otherwise. */
export function jwtFor(sub: string, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return unsecuredJwt({ sub, iat: now, exp: now + 3600, ...claims });
}

/** Asserts that `secret` appears nowhere in an error, its message, stack or causes. */
export function assertNoSecret(error: unknown, secret: string): void {
  let e: unknown = error;
  for (let depth = 0; e !== undefined && depth < 10; depth++) {
    const text = e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e);
    assert.ok(!text.includes(secret), `the secret leaked at cause depth ${depth}: ${text}`);
    e = e instanceof Error ? e.cause : undefined;
  }
}

/**
 * Connects with SASL, checks a Metadata request works and the session lifetime is in
 * `lifetime` (inclusive), and closes.
 */
async function connectAndFetchMetadata(
  options: ConnectionOptions,
  lifetime: [number, number] = [0, 0],
): Promise<Connection> {
  const conn = await Connection.connect({ clientId: "kafkit-sasl-test", ...options });
  try {
    const meta = await conn.request(Metadata, { topics: null });
    assert.ok(meta.brokers.length >= 1);
    const ms = conn.sessionLifetimeMs;
    assert.ok(ms !== undefined && ms >= lifetime[0] && ms <= lifetime[1], `lifetime ${ms}`);
  } finally {
    conn.close();
  }
  return conn;
}

/** The same checks on one SASL listener; `extra` adds transport options (TLS). */
function saslSuite(name: string, brokersVar: string, extra: () => Partial<ConnectionOptions>) {
  describe(`SASL over ${name} (${RUNTIME})`, () => {
    const user = () => kafkaEnv("KAFKA_SASL_USER");
    const password = () => kafkaEnv("KAFKA_SASL_PASSWORD");
    const options = (sasl: SaslOptions): ConnectionOptions => ({
      ...hostPort(kafkaEnv(brokersVar).split(",")[0]),
      ...extra(),
      sasl,
    });

    for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
      test(`${mechanism} authenticates and Metadata works`, async () => {
        // No session limit: the harness sets no connections.max.reauth.ms.
        const conn = await connectAndFetchMetadata(
          options({ mechanism, username: user(), password: password() }),
        );
        assert.equal(conn.closed, true);
      });

      test(`${mechanism} with a wrong password is an AuthenticationError`, async () => {
        const wrong = `${password()}-but-wrong`;
        await assert.rejects(
          Connection.connect(options({ mechanism, username: user(), password: wrong })),
          (e: unknown) => {
            assert.ok(e instanceof AuthenticationError, String(e));
            assert.equal(e.mechanism, mechanism);
            assert.equal(e.retriable, false);
            assert.match(e.message, new RegExp(`^${mechanism} authentication to `));
            assert.match(e.message, /SASL_AUTHENTICATION_FAILED/);
            assertNoSecret(e, wrong);
            assertNoSecret(e, password());
            return true;
          },
        );
      });

      test(`${mechanism} with an unknown user is an AuthenticationError`, async () => {
        await assert.rejects(
          Connection.connect(
            options({ mechanism, username: "mallory", password: "mallory-secret" }),
          ),
          (e: unknown) => {
            assert.ok(e instanceof AuthenticationError, String(e));
            assert.equal(e.mechanism, mechanism);
            assertNoSecret(e, "mallory-secret");
            return true;
          },
        );
      });
    }

    test("OAUTHBEARER with an unsigned JWT authenticates and Metadata works", async () => {
      let calls = 0;
      const token = () => {
        calls++;
        return { value: jwtFor(user()) };
      };
      // The broker ends the session when the token expires (KIP-368), an hour from now.
      const hour: [number, number] = [3_500_000, 3_600_000];
      await connectAndFetchMetadata(options({ mechanism: "OAUTHBEARER", token }), hour);
      await connectAndFetchMetadata(options({ mechanism: "OAUTHBEARER", token }), hour);
      assert.equal(calls, 2, "the provider is called per connection");
    });

    test("OAUTHBEARER sends extensions the broker accepts", async () => {
      await connectAndFetchMetadata(
        options({
          mechanism: "OAUTHBEARER",
          token: () => ({ value: jwtFor(user()), extensions: { traceId: "kafkit test" } }),
        }),
        [3_500_000, 3_600_000],
      );
    });

    test("OAUTHBEARER with an expired token fails with the broker's status", async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = jwtFor(user(), { iat: now - 7200, exp: now - 3600 });
      await assert.rejects(
        Connection.connect(
          options({ mechanism: "OAUTHBEARER", token: () => Promise.resolve({ value: expired }) }),
        ),
        (e: unknown) => {
          assert.ok(e instanceof AuthenticationError, String(e));
          assert.equal(e.mechanism, "OAUTHBEARER");
          assert.match(e.message, /token status "invalid_token"/);
          assertNoSecret(e, expired);
          return true;
        },
      );
    });

    test("OAUTHBEARER with a signed-looking (alg HS256) token is refused", async () => {
      const now = Math.floor(Date.now() / 1000);
      const header = btoa(JSON.stringify({ alg: "HS256" })).replace(/=+$/, "");
      const claims = btoa(JSON.stringify({ sub: "x", iat: now, exp: now + 60 })).replace(
        /=+$/,
        "",
      );
      const token = `${header}.${claims}.c2lnbmF0dXJl`;
      await assert.rejects(
        Connection.connect(options({ mechanism: "OAUTHBEARER", token: () => ({ value: token }) })),
        (e: unknown) => {
          assert.ok(e instanceof AuthenticationError, String(e));
          assertNoSecret(e, token);
          return true;
        },
      );
    });
  });
}

saslSuite("SASL_PLAINTEXT", "KAFKA_SASL_BROKERS", () => ({}));

describe(`SASL against a listener without SASL (${RUNTIME})`, () => {
  test("SaslHandshake on the PLAINTEXT listener is an AuthenticationError", async () => {
    await assert.rejects(
      Connection.connect({
        ...hostPort(kafkaEnv("KAFKA_BROKERS").split(",")[0]),
        sasl: { mechanism: "PLAIN", username: "alice", password: "not-used-here" },
      }),
      (e: unknown) => {
        assert.ok(e instanceof AuthenticationError, String(e));
        assert.equal(e.mechanism, "PLAIN");
        assert.match(e.message, /ILLEGAL_SASL_STATE/);
        assertNoSecret(e, "not-used-here");
        return true;
      },
    );
  });
});

describe(`SCRAM credentials made with AlterUserScramCredentials (${RUNTIME})`, () => {
  test("a username that needs escaping and a non-ASCII password, for both SCRAMs", async () => {
    // `=` and `,` travel as =3D and =2C; the password has a ligature that NFKC would change
    // ("ﬁ" → "fi"): Kafka uses passwords as plain UTF-8, and so must the client.
    const username = `k=af,kit-${randomBytes(4).toString("hex")}`;
    const password = "pässwörd-ﬁ-☃";
    const admin = await Connection.connect(hostPort(kafkaEnv("KAFKA_BROKERS").split(",")[0]));
    try {
      const mechanisms = [["SCRAM-SHA-256", 1, "sha256", 32], [
        "SCRAM-SHA-512",
        2,
        "sha512",
        64,
      ]] as const;
      // One request per mechanism: Kafka refuses to alter a user twice in one request.
      for (const [, mechanism, hash, length] of mechanisms) {
        const salt = randomBytes(16);
        const saltedPassword = pbkdf2Sync(password, salt, 4096, length, hash);
        const res = await admin.request(AlterUserScramCredentials, {
          upsertions: [{ name: username, mechanism, iterations: 4096, salt, saltedPassword }],
        });
        assert.deepEqual(res.results.map((r) => r.errorCode), [0], JSON.stringify(res.results));
      }
      for (const [mechanism] of mechanisms) {
        const options: ConnectionOptions = {
          ...hostPort(kafkaEnv("KAFKA_SASL_BROKERS").split(",")[0]),
          sasl: { mechanism, username, password },
        };
        // The controller commits the credentials; the broker sees them a moment later.
        for (let attempt = 1;; attempt++) {
          try {
            await connectAndFetchMetadata(options);
            break;
          } catch (e) {
            if (!(e instanceof AuthenticationError) || attempt === 50) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        await assert.rejects(
          Connection.connect({
            ...options,
            sasl: { mechanism, username, password: password.normalize("NFKC") },
          }),
          AuthenticationError,
        );
      }
    } finally {
      for (const mechanism of [1, 2]) {
        await admin.request(AlterUserScramCredentials, {
          deletions: [{ name: username, mechanism }],
        }).catch(() => {});
      }
      admin.close();
    }
  });
});

// SASL_SSL: the same checks over TLS, trusting the harness's CA.
saslSuite("SASL_SSL", "KAFKA_SASL_SSL_BROKERS", () => ({
  tls: { ca: readFileSync(kafkaEnv("KAFKA_CA"), "utf8") },
}));
