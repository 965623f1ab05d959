import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { AuthenticationError, UnsupportedVersionError } from "../../../mod.ts";
import { Connection } from "../../../src/core.ts";
import type { Api } from "../../../src/protocol/api.ts";
import { negotiateVersion, type VersionRange } from "../../../src/protocol/negotiate.ts";
import {
  SaslAuthenticate,
  type SaslAuthenticateResponse,
} from "../../../src/protocol/generated/sasl_authenticate.ts";
import {
  SaslHandshake,
  type SaslHandshakeResponse,
} from "../../../src/protocol/generated/sasl_handshake.ts";
import {
  authenticate,
  type SaslOptions,
  type SaslTransport,
  validateSaslOptions,
} from "../../../src/transport/sasl/mod.ts";
import { plainMessage } from "../../../src/transport/sasl/plain.ts";
import {
  fromBase64,
  scramExchange,
  scramSaslName,
  toBase64,
} from "../../../src/transport/sasl/scram.ts";
import {
  oauthBearerExchange,
  oauthBearerMessage,
} from "../../../src/transport/sasl/oauthbearer.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string) => enc.encode(s);

// RFC 7677 section 3.
const RFC = {
  nonce: "rOprNGfwEbeRWgbNEkqO",
  clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
  serverFirst:
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
  clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
};

describe("SCRAM", () => {
  test("RFC 7677 SCRAM-SHA-256 test vector: client-first, client-final, server signature", async () => {
    const scram = scramExchange("SCRAM-SHA-256", "user", "pencil", { nonce: RFC.nonce });
    assert.equal(dec.decode(await scram.start()), RFC.clientFirst);
    const final = await scram.next(bytes(RFC.serverFirst));
    assert.equal(dec.decode(final!), RFC.clientFinal);
    assert.equal(await scram.next(bytes(RFC.serverFinal)), null);
  });

  test("a server signature that does not match fails", async () => {
    const scram = scramExchange("SCRAM-SHA-256", "user", "pencil", { nonce: RFC.nonce });
    await scram.start();
    await scram.next(bytes(RFC.serverFirst));
    const forged = "v=" + toBase64(new Uint8Array(32));
    await assert.rejects(scram.next(bytes(forged)), (e: unknown) => {
      assert.ok(e instanceof AuthenticationError);
      assert.equal(e.mechanism, "SCRAM-SHA-256");
      assert.match(e.message, /server signature mismatch/);
      assert.doesNotMatch(e.message, /pencil|dHzbZapWIk4jUhN/);
      return true;
    });
  });

  test("a wrong password gives a different proof", async () => {
    const scram = scramExchange("SCRAM-SHA-256", "user", "pencil!", { nonce: RFC.nonce });
    await scram.start();
    assert.notEqual(dec.decode((await scram.next(bytes(RFC.serverFirst)))!), RFC.clientFinal);
  });

  test("usernames escape = and , (RFC 5802 5.1)", async () => {
    assert.equal(scramSaslName("a=b,c"), "a=3Db=2Cc");
    assert.equal(scramSaslName("=,=,"), "=3D=2C=3D=2C");
    assert.equal(scramSaslName("plain"), "plain");
    const scram = scramExchange("SCRAM-SHA-512", "us=er,1", "pw", { nonce: "abc" });
    assert.equal(dec.decode(await scram.start()), "n,,n=us=3Der=2C1,r=abc");
  });

  test("SCRAM-SHA-512 agrees with a server computed by node:crypto", async () => {
    const user = "bob";
    const password = "pässwörd ✓";
    const salt = new Uint8Array(Array.from({ length: 16 }, (_, i) => i * 7));
    const iterations = 4096;
    const nonce = "clientNONCE";
    const serverFirst = `r=${nonce}SERVER,s=${toBase64(salt)},i=${iterations}`;
    const scram = scramExchange("SCRAM-SHA-512", user, password, { nonce });
    const first = dec.decode(await scram.start());
    const clientFinal = dec.decode((await scram.next(bytes(serverFirst)))!);

    // The server's side, from RFC 5802's definitions.
    const salted = pbkdf2Sync(enc.encode(password), salt, iterations, 64, "sha512");
    const clientKey = createHmac("sha512", salted).update("Client Key").digest();
    const storedKey = createHash("sha512").update(clientKey).digest();
    const withoutProof = clientFinal.slice(0, clientFinal.indexOf(",p="));
    assert.equal(withoutProof, `c=biws,r=${nonce}SERVER`);
    const authMessage = `${first.slice(3)},${serverFirst},${withoutProof}`;
    const signature = createHmac("sha512", storedKey).update(authMessage).digest();
    const proof = fromBase64(clientFinal.slice(clientFinal.indexOf(",p=") + 3))!;
    const recovered = proof.map((b, i) => b ^ signature[i]);
    assert.deepEqual(createHash("sha512").update(recovered).digest(), storedKey);

    const serverKey = createHmac("sha512", salted).update("Server Key").digest();
    const v = createHmac("sha512", serverKey).update(authMessage).digest("base64");
    assert.equal(await scram.next(bytes(`v=${v}`)), null);
  });

  test("server-first checks: nonce, salt, iteration bounds, errors", async () => {
    const cases: [string, RegExp][] = [
      ["r=other,s=c2FsdA==,i=4096", /nonce/],
      ["r=abc,s=c2FsdA==,i=4096", /nonce/], // not extended
      ["r=abcX,s=!!!,i=4096", /salt/],
      ["r=abcX,s=c2FsdA==,i=1000", /iterations/],
      ["r=abcX,s=c2FsdA==,i=100000000", /iterations/],
      ["r=abcX,s=c2FsdA==,i=4k", /iteration count/],
      ["e=unknown-user", /server error "unknown-user"/],
      ["m=ext,r=abcX,s=c2FsdA==,i=4096", /extension/],
      ["garbage", /malformed/],
    ];
    for (const [serverFirst, re] of cases) {
      const scram = scramExchange("SCRAM-SHA-256", "u", "secret-pw", { nonce: "abc" });
      await scram.start();
      await assert.rejects(scram.next(bytes(serverFirst)), (e: unknown) => {
        assert.ok(e instanceof AuthenticationError, serverFirst);
        assert.match(e.message, re, serverFirst);
        assert.match(e.message, /SCRAM-SHA-256/);
        assert.doesNotMatch(e.message, /secret-pw/);
        return true;
      });
    }
  });

  test("server-final e= is an AuthenticationError", async () => {
    const scram = scramExchange("SCRAM-SHA-256", "user", "pencil", { nonce: RFC.nonce });
    await scram.start();
    await scram.next(bytes(RFC.serverFirst));
    await assert.rejects(scram.next(bytes("e=invalid-proof")), /server error "invalid-proof"/);
  });

  test("the nonce is random by default", async () => {
    const a = dec.decode(await scramExchange("SCRAM-SHA-256", "u", "p").start());
    const b = dec.decode(await scramExchange("SCRAM-SHA-256", "u", "p").start());
    assert.match(a, /^n,,n=u,r=[A-Za-z0-9+/]{32}$/);
    assert.notEqual(a, b);
  });
});

describe("PLAIN and OAUTHBEARER messages", () => {
  test("PLAIN is \\0username\\0password in UTF-8", () => {
    assert.deepEqual(
      plainMessage("alice", "s3cret"),
      new Uint8Array([0, ...bytes("alice"), 0, ...bytes("s3cret")]),
    );
    assert.deepEqual(plainMessage("ü", "€"), new Uint8Array([0, 0xc3, 0xbc, 0, 0xe2, 0x82, 0xac]));
  });

  test("OAUTHBEARER initial response, with and without extensions", () => {
    assert.equal(
      dec.decode(oauthBearerMessage({ value: "abc.def.ghi" })),
      "n,,\x01auth=Bearer abc.def.ghi\x01\x01",
    );
    assert.equal(
      dec.decode(
        oauthBearerMessage({ value: "t0k", extensions: { traceId: "a b", Region: "eu" } }),
      ),
      "n,,\x01auth=Bearer t0k\x01traceId=a b\x01Region=eu\x01\x01",
    );
  });

  test("OAUTHBEARER rejects bad tokens and extensions without echoing the token", () => {
    const secret = "sekrit-token\x01";
    assert.throws(() => oauthBearerMessage({ value: secret }), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /sasl\.token\(\)\.value/);
      assert.doesNotMatch(e.message, /sekrit/);
      return true;
    });
    assert.throws(() => oauthBearerMessage({ value: "" }), /non-empty/);
    for (const key of ["auth", "a1", "", "x-y"]) {
      assert.throws(
        () => oauthBearerMessage({ value: "t", extensions: { [key]: "v" } }),
        /extensions key/,
        key,
      );
    }
    assert.throws(
      () => oauthBearerMessage({ value: "t", extensions: { ok: "bad\x01" } }),
      /extensions\.ok/,
    );
    assert.throws(() => oauthBearerMessage(null as never), /sasl\.token\(\)/);
  });

  test("OAUTHBEARER answers an error challenge with \\x01", async () => {
    const oauth = oauthBearerExchange(() => ({ value: "t" }));
    await oauth.start();
    const reply = await oauth.next(bytes('{"status":"invalid_token"}'));
    assert.deepEqual(reply, new Uint8Array([1]));
    assert.equal(oauth.failureDetail?.(), 'token status "invalid_token"');
  });
});

describe("SASL options", () => {
  const password = "hunter2-password";
  const bad: [unknown, RegExp][] = [
    [null, /^sasl must be an object/],
    ["PLAIN", /^sasl must be an object/],
    [{ mechanism: "SCRAM-SHA-1", username: "u", password }, /sasl\.mechanism .*"SCRAM-SHA-1"/],
    [{ username: "u", password }, /sasl\.mechanism .*got undefined/],
    [{ mechanism: "PLAIN", password }, /sasl\.username/],
    [{ mechanism: "PLAIN", username: "", password }, /sasl\.username/],
    [{ mechanism: "SCRAM-SHA-256", username: "u" }, /sasl\.password/],
    [{ mechanism: "SCRAM-SHA-512", username: "u", password: 42 }, /sasl\.password/],
    [{ mechanism: "PLAIN", username: "u", password: `${password}\0` }, /sasl\.password .*NUL/],
    [{ mechanism: "PLAIN", username: "u\0x", password }, /sasl\.username .*NUL/],
    [{ mechanism: "OAUTHBEARER" }, /sasl\.token/],
    [{ mechanism: "OAUTHBEARER", token: "abc" }, /sasl\.token/],
  ];

  test("bad options are TypeErrors naming the field, never showing the password", () => {
    for (const [options, re] of bad) {
      assert.throws(() => validateSaslOptions(options), (e: unknown) => {
        assert.ok(e instanceof TypeError, String(e));
        assert.match(e.message, re);
        assert.doesNotMatch(e.message, /hunter2/);
        return true;
      }, JSON.stringify(options));
    }
  });

  test("good options pass", () => {
    const good: SaslOptions[] = [
      { mechanism: "PLAIN", username: "u", password: "p" },
      { mechanism: "SCRAM-SHA-256", username: "u", password: "p" },
      { mechanism: "SCRAM-SHA-512", username: "u", password: "p" },
      { mechanism: "OAUTHBEARER", token: () => ({ value: "t" }) },
    ];
    for (const o of good) assert.equal(validateSaslOptions(o), o);
  });

  test("Connection.connect validates sasl before opening a socket", async () => {
    let opened = false;
    await assert.rejects(
      Connection.connect({
        host: "127.0.0.1",
        port: 1,
        connect: () => {
          opened = true;
          return Promise.reject(new Error("should not connect"));
        },
        sasl: { mechanism: "PLAIN", username: "u" } as never,
      }),
      /sasl\.password/,
    );
    assert.equal(opened, false);
  });
});

/** A scripted broker for `authenticate`: answers each request with the next response. */
class FakeBroker implements SaslTransport {
  readonly address = "fake:9092";
  readonly sent: { api: string; version: number; body: unknown }[] = [];
  readonly versions: Map<number, VersionRange>;
  readonly handshake: SaslHandshakeResponse;
  readonly responses: Partial<SaslAuthenticateResponse>[];
  constructor(
    versions: Map<number, VersionRange>,
    handshake: SaslHandshakeResponse,
    responses: Partial<SaslAuthenticateResponse>[],
  ) {
    this.versions = versions;
    this.handshake = handshake;
    this.responses = responses;
  }
  // deno-lint-ignore no-explicit-any
  negotiate(api: Api<any, any>, cap?: number): number {
    return negotiateVersion(api, this.versions.get(api.key), cap, "fake");
  }
  request<Req, Res>(api: Api<Req, Res>, body: Req, options?: { version?: number }): Promise<Res> {
    this.sent.push({ api: api.name, version: options?.version ?? -1, body });
    if (api.key === SaslHandshake.key) return Promise.resolve(this.handshake as Res);
    const next = this.responses.shift();
    if (!next) return Promise.reject(new Error("unexpected request"));
    return Promise.resolve({
      errorCode: 0,
      errorMessage: null,
      authBytes: new Uint8Array(0),
      sessionLifetimeMs: 0n,
      ...next,
    } as Res);
  }
}

const VERSIONS = new Map([
  [SaslHandshake.key, { min: 0, max: 1 }],
  [SaslAuthenticate.key, { min: 0, max: 2 }],
]);
const OK_HANDSHAKE = { errorCode: 0, mechanisms: ["PLAIN", "OAUTHBEARER"] };

describe("authenticate against a scripted broker", () => {
  test("PLAIN: handshake v1, one SaslAuthenticate v2, session lifetime recorded", async () => {
    const broker = new FakeBroker(VERSIONS, OK_HANDSHAKE, [{ sessionLifetimeMs: 3_600_000n }]);
    const session = await authenticate(broker, {
      mechanism: "PLAIN",
      username: "alice",
      password: "pw",
    });
    assert.deepEqual(session, { mechanism: "PLAIN", sessionLifetimeMs: 3_600_000 });
    assert.deepEqual(broker.sent.map((s) => `${s.api} v${s.version}`), [
      "SaslHandshake v1",
      "SaslAuthenticate v2",
    ]);
    assert.deepEqual(broker.sent[0].body, { mechanism: "PLAIN" });
    assert.deepEqual(broker.sent[1].body, { authBytes: plainMessage("alice", "pw") });
  });

  test("a mechanism the broker does not enable lists the broker's mechanisms", async () => {
    const broker = new FakeBroker(VERSIONS, { errorCode: 33, mechanisms: ["PLAIN", "GSSAPI"] }, []);
    await assert.rejects(
      authenticate(broker, { mechanism: "SCRAM-SHA-256", username: "u", password: "pw" }),
      (e: unknown) => {
        assert.ok(e instanceof AuthenticationError);
        assert.equal(e.mechanism, "SCRAM-SHA-256");
        assert.match(e.message, /does not enable SCRAM-SHA-256.*PLAIN, GSSAPI/);
        assert.match(e.message, /fake:9092/);
        return true;
      },
    );
    assert.equal(broker.sent.length, 1);
  });

  test("another handshake error is an AuthenticationError with the Kafka error as cause", async () => {
    const broker = new FakeBroker(VERSIONS, { errorCode: 34, mechanisms: [] }, []);
    await assert.rejects(
      authenticate(broker, { mechanism: "PLAIN", username: "u", password: "pw" }),
      (e: unknown) => {
        assert.ok(e instanceof AuthenticationError);
        assert.match(e.message, /ILLEGAL_SASL_STATE/);
        assert.equal((e.cause as { code: number }).code, 34);
        return true;
      },
    );
  });

  test("SaslAuthenticate errors name the mechanism and carry the broker's message", async () => {
    const broker = new FakeBroker(VERSIONS, OK_HANDSHAKE, [{
      errorCode: 58,
      errorMessage: "Authentication failed: Invalid username or password",
    }]);
    await assert.rejects(
      authenticate(broker, { mechanism: "PLAIN", username: "u", password: "topsecret" }),
      (e: unknown) => {
        assert.ok(e instanceof AuthenticationError);
        assert.equal(e.mechanism, "PLAIN");
        assert.equal(e.retriable, false);
        assert.match(e.message, /^PLAIN authentication to fake:9092 failed: SASL_AUTHENTICATION/);
        assert.match(e.message, /Invalid username or password/);
        assert.doesNotMatch(String(e.cause), /topsecret/);
        return true;
      },
    );
  });

  test("OAUTHBEARER error challenge: \\x01 reply, then the error with the JSON status", async () => {
    const broker = new FakeBroker(VERSIONS, OK_HANDSHAKE, [
      { authBytes: bytes('{"status":"invalid_token"}') },
      { errorCode: 58, errorMessage: '{"status":"invalid_token"}' },
    ]);
    await assert.rejects(
      authenticate(broker, { mechanism: "OAUTHBEARER", token: () => ({ value: "tok.en." }) }),
      (e: unknown) => {
        assert.ok(e instanceof AuthenticationError);
        assert.equal(e.mechanism, "OAUTHBEARER");
        assert.match(e.message, /token status "invalid_token"/);
        assert.doesNotMatch(e.message, /tok\.en/);
        return true;
      },
    );
    assert.deepEqual(
      (broker.sent[2].body as { authBytes: Uint8Array }).authBytes,
      new Uint8Array([1]),
    );
  });

  test("OAUTHBEARER calls the provider per authentication and wraps its failure", async () => {
    let calls = 0;
    const token = async () => {
      calls++;
      await Promise.resolve();
      if (calls === 2) throw new Error("idp down");
      return { value: `t${calls}` };
    };
    await authenticate(new FakeBroker(VERSIONS, OK_HANDSHAKE, [{}]), {
      mechanism: "OAUTHBEARER",
      token,
    });
    await assert.rejects(
      authenticate(new FakeBroker(VERSIONS, OK_HANDSHAKE, [{}]), {
        mechanism: "OAUTHBEARER",
        token,
      }),
      (e: unknown) => {
        assert.ok(e instanceof AuthenticationError);
        assert.match(e.message, /token provider failed/);
        assert.match(String((e.cause as Error).message), /idp down/);
        return true;
      },
    );
    assert.equal(calls, 2);
  });

  test("SaslAuthenticate v0 is used when the broker lacks v1 (no lifetime)", async () => {
    const versions = new Map(VERSIONS).set(SaslAuthenticate.key, { min: 0, max: 0 });
    const broker = new FakeBroker(versions, OK_HANDSHAKE, [{}]);
    const session = await authenticate(broker, {
      mechanism: "PLAIN",
      username: "u",
      password: "p",
    });
    assert.equal(session.sessionLifetimeMs, 0);
    assert.equal(broker.sent[1].version, 0);
  });

  test("a broker with only SaslHandshake v0 is unsupported", async () => {
    const versions = new Map(VERSIONS).set(SaslHandshake.key, { min: 0, max: 0 });
    await assert.rejects(
      authenticate(new FakeBroker(versions, OK_HANDSHAKE, []), {
        mechanism: "PLAIN",
        username: "u",
        password: "p",
      }),
      UnsupportedVersionError,
    );
  });
});
