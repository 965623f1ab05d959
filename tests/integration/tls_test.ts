import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ConnectionError } from "../../mod.ts";
import { Connection, type ConnectionOptions } from "../../src/core.ts";
import { Metadata, type MetadataResponse } from "../../src/protocol/mod.ts";
import type { TlsOptions } from "../../src/transport/socket.ts";
import { hostPort, kafkaEnv, RUNTIME } from "../_env.ts";

const DENO = "Deno" in globalThis;

/** A CA that signed nothing the broker holds (self-signed, EC P-256; its key was discarded). */
const UNRELATED_CA = `-----BEGIN CERTIFICATE-----
MIIBrDCCAVOgAwIBAgIURUFhGJaPJQr8nOEZ2uyHEFmXJlYwCgYIKoZIzj0EAwIw
IzEhMB8GA1UEAwwYa2Fma2l0IHVucmVsYXRlZCB0ZXN0IENBMCAXDTI2MTEyMTEw
Mzg0MVoYDzIxMjYxMDI4MTAzODQxWjAjMSEwHwYDVQQDDBhrYWZraXQgdW5yZWxh
dGVkIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASsWqCXRikOhqms
oGtKpB2vGXMmv0qAV2G0ntRZ+ir464fdhhnU9yvuGnUcMp0qn8vB9z51FOPdDlyp
2bUVpW8fo2MwYTAdBgNVHQ4EFgQUmXz4p1vyvGRTGg/IMPUR/65Xni4wHwYDVR0j
BBgwFoAUmXz4p1vyvGRTGg/IMPUR/65Xni4wDwYDVR0TAQH/BAUwAwEB/zAOBgNV
HQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwIDRwAwRAIgfV9hVXIIOhoacQBH2fFMA2wH
ND4+B508By4k3Wu2G5MCIBIm7wgpcbuPG262A+k5Mkn9paZawDhOsdSDMnU0qL5O
-----END CERTIFICATE-----
`;

// Failures must come from the TLS layer, not from this timeout: the hang guard below is far
// shorter, so a connection that stalls fails the test instead of timing out as designed.
const CONNECT_TIMEOUT = 30_000;
const HANG_GUARD = 5_000;

const pem = (variable: string) => readFileSync(kafkaEnv(variable), "utf8");
const ssl = () => hostPort(kafkaEnv("KAFKA_SSL_BROKERS").split(",")[0]);
const mtls = () => hostPort(kafkaEnv("KAFKA_MTLS_BROKERS").split(",")[0]);
const clientCert = (): TlsOptions => ({
  ca: pem("KAFKA_CA"),
  cert: pem("KAFKA_CLIENT_CERT"),
  key: pem("KAFKA_CLIENT_KEY"),
});

/** Connects, asks for Metadata and closes. */
async function metadata(options: ConnectionOptions): Promise<MetadataResponse> {
  const conn = await promptly(
    Connection.connect({
      clientId: "kafkit-tls-test",
      connectTimeout: CONNECT_TIMEOUT,
      ...options,
    }),
  );
  try {
    return await conn.request(Metadata, { topics: null });
  } finally {
    conn.close();
  }
}

/** Rejects when `promise` has not settled within the hang guard. */
function promptly<T>(promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung for ${HANG_GUARD} ms`)), HANG_GUARD);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Asserts that connecting fails promptly with a `ConnectionError` whose message matches. */
async function refused(options: ConnectionOptions, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(metadata(options), (e: unknown) => {
    assert.ok(e instanceof ConnectionError, `expected ConnectionError, got ${e}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

/** Asserts the documented `TypeError`, raised as itself (a configuration error, not retriable). */
async function typeError(options: ConnectionOptions, pattern: RegExp): Promise<void> {
  await assert.rejects(metadata(options), (e: unknown) => {
    assert.ok(e instanceof TypeError, `expected a TypeError, got ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
}

/** Asserts the response lists the broker with the port it was reached on. */
function assertBrokers(meta: MetadataResponse, port: number): void {
  assert.equal(meta.brokers.length, kafkaEnv("KAFKA_BROKERS").split(",").length);
  assert.ok(meta.brokers.some((b) => b.port === port), JSON.stringify(meta.brokers));
}

describe(`TLS to a real broker (${RUNTIME})`, () => {
  test("TLS to the broker's IP address, verified with the test CA", async () => {
    const meta = await metadata({ ...ssl(), tls: { ca: pem("KAFKA_CA") } });
    assertBrokers(meta, ssl().port);
  });

  test("TLS by host name (localhost), and a CA list", async () => {
    const meta = await metadata({
      host: "localhost",
      port: ssl().port,
      tls: { ca: [pem("KAFKA_CA")] },
    });
    assertBrokers(meta, ssl().port);
  });

  test("TLS to the IP address, verified against serverName localhost", async () => {
    const meta = await metadata({
      ...ssl(),
      tls: { ca: pem("KAFKA_CA"), serverName: "localhost" },
    });
    assertBrokers(meta, ssl().port);
  });

  test("a server name the certificate does not hold is refused", async () => {
    await refused(
      { ...ssl(), tls: { ca: pem("KAFKA_CA"), serverName: "broker.invalid" } },
      /TLS/,
      /broker\.invalid/,
    );
  });

  test("without a CA the runtime's trust store refuses the test certificate", async () => {
    await refused({ ...ssl(), tls: {} }, /TLS handshake failed/, /certificate/i);
  });

  test("a CA that did not sign the broker's certificate is refused", async () => {
    await refused({ ...ssl(), tls: { ca: UNRELATED_CA } }, /TLS handshake failed/, /certificate/i);
  });

  test("rejectUnauthorized false skips verification (a TypeError on Deno)", async () => {
    const options = { ...ssl(), tls: { ca: UNRELATED_CA, rejectUnauthorized: false } };
    if (DENO) return await typeError(options, /rejectUnauthorized/);
    assertBrokers(await metadata(options), ssl().port);
  });

  test("mutual TLS with a client certificate", async () => {
    const meta = await metadata({ ...mtls(), tls: clientCert() });
    assertBrokers(meta, mtls().port);
  });

  test("mutual TLS with serverName localhost (a TypeError on Deno)", async () => {
    const options = { ...mtls(), tls: { ...clientCert(), serverName: "localhost" } };
    if (DENO) return await typeError(options, /serverName/);
    assertBrokers(await metadata(options), mtls().port);
  });

  test("a client certificate without its key is a TypeError", async () => {
    await typeError(
      { ...mtls(), tls: { ca: pem("KAFKA_CA"), cert: pem("KAFKA_CLIENT_CERT") } },
      /tls\.key/,
    );
  });

  test("mutual TLS without a client certificate fails with ConnectionError", async () => {
    await refused({ ...mtls(), tls: { ca: pem("KAFKA_CA") } }, /certificate/i);
  });

  test("TLS to a plaintext listener fails with ConnectionError", async () => {
    await refused({ ...hostPort(kafkaEnv("KAFKA_BROKERS").split(",")[0]), tls: {} });
  });
});
