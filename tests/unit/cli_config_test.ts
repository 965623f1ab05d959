// The CLI's connection settings: Java .properties files, and flags over the file over the env.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProperties } from "../../src/cli/_properties.ts";
import { connectionConfig } from "../../src/cli/_connection.ts";

const CA = "-----BEGIN CERTIFICATE-----\nMIIca\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIkey\n-----END PRIVATE KEY-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIcert\n-----END CERTIFICATE-----\n";

describe("parseProperties", () => {
  test("separators, comments, continuations and escapes as java.util.Properties reads them", () => {
    const p = parseProperties([
      "# a comment",
      "  ! another",
      "",
      "a=1",
      "b : 2",
      "c 3",
      "d=",
      "e = x=y",
      "long = one \\",
      "       two",
      "esc\\=aped\\ key = tab\\there \\u00e9",
      "twice=old",
      "twice=new",
      "path=C:\\\\dir",
    ].join("\r\n"));
    assert.deepEqual(Object.fromEntries(p), {
      a: "1",
      b: "2",
      c: "3",
      d: "",
      e: "x=y",
      long: "one two",
      "esc=aped key": "tab\there é",
      twice: "new",
      path: "C:\\dir",
    });
  });
});

describe("connectionConfig", () => {
  let dir = "";
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  before(() => dir = mkdtempSync(join(tmpdir(), "kafkit-cli-unit-")));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("flags win over the file, the file over the environment", async () => {
    const props = file("a.properties", "bootstrap.servers=file:1\nclient.id=from-file\n");
    assert.deepEqual(await connectionConfig({}, { KAFKA_BROKERS: "env:1,env:2" }), {
      brokers: ["env:1", "env:2"],
    });
    assert.deepEqual(
      await connectionConfig({ "command-config": props }, { KAFKA_BROKERS: "env:1" }),
      { brokers: ["file:1"], clientId: "from-file" },
    );
    assert.deepEqual(
      (await connectionConfig({ "command-config": props, brokers: "flag:1" }, {})).brokers,
      ["flag:1"],
    );
  });

  test("SASL_SSL with a PEM truststore and a SCRAM jaas config", async () => {
    const ca = file("ca.pem", CA);
    const props = file(
      "sasl.properties",
      [
        "bootstrap.servers=b:9093",
        "security.protocol=SASL_SSL",
        "ssl.truststore.type=PEM",
        `ssl.truststore.location=${ca}`,
        "sasl.mechanism=SCRAM-SHA-256",
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\",
        // The file has p\\"w;d: .properties unescaping leaves p\"w;d, the JAAS quoting p"w;d.
        '  username="bob" password="p\\\\"w;d";',
      ].join("\n"),
    );
    assert.deepEqual(await connectionConfig({ "command-config": props }, {}), {
      brokers: ["b:9093"],
      tls: { ca: CA },
      sasl: { mechanism: "SCRAM-SHA-256", username: "bob", password: 'p"w;d' },
    });
  });

  test("a PEM keystore file is split into the key and the certificate chain", async () => {
    const keystore = file("client.pem", KEY + CERT);
    const props = file(
      "mtls.properties",
      `bootstrap.servers=b:1\nsecurity.protocol=SSL\nssl.keystore.type=PEM\nssl.keystore.location=${keystore}\n`,
    );
    const c = await connectionConfig({ "command-config": props }, {});
    assert.equal(c.tls?.key?.trim(), KEY.trim());
    assert.equal(c.tls?.cert?.trim(), CERT.trim());
  });

  test("SASL and TLS from the environment; the password only from there", async () => {
    const ca = file("env-ca.pem", CA);
    assert.deepEqual(
      await connectionConfig({ "sasl-username": "carol" }, {
        KAFKA_BROKERS: "b:1",
        KAFKA_TLS_CA: ca,
        KAFKA_SASL_MECHANISM: "plain",
        KAFKA_SASL_PASSWORD: "secret",
      }),
      {
        brokers: ["b:1"],
        tls: { ca: CA },
        sasl: { mechanism: "PLAIN", username: "carol", password: "secret" },
      },
    );
    await assert.rejects(
      connectionConfig({ "sasl-mechanism": "SCRAM-SHA-512", "sasl-username": "x" }, {
        KAFKA_BROKERS: "b:1",
      }),
      /UsageError: SASL needs a password: set KAFKA_SASL_PASSWORD/,
    );
  });

  test("what kafkit cannot honour is a usage error naming the setting", async () => {
    const cases: [string, RegExp][] = [
      [
        "security.protocol=SSL\nssl.truststore.location=/x.jks\n",
        /ssl\.truststore\.type JKS is not supported: kafkit reads PEM only/,
      ],
      [
        "security.protocol=SSL\nssl.keystore.type=PKCS12\nssl.keystore.location=/x.p12\n",
        /ssl\.keystore\.type PKCS12 is not supported/,
      ],
      ["security.protocol=SASL_PLAINTEXT\n", /sasl\.mechanism GSSAPI is not supported/],
      [
        "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\n",
        /sasl\.mechanism OAUTHBEARER is not supported/,
      ],
      [
        "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=com.example.Login required;\n",
        /only the PLAIN and SCRAM login modules/,
      ],
      ["security.protocol=SSL\nssl.endpoint.identification.algorithm=\n", /--tls-insecure/],
      ["security.protocol=KERBEROS\n", /unknown security\.protocol KERBEROS/],
      [
        "sasl.login.callback.handler.class=x.Y\n",
        /sasl\.login\.callback\.handler\.class is not supported/,
      ],
    ];
    for (const [i, [text, error]] of cases.entries()) {
      const props = file(`bad-${i}.properties`, `bootstrap.servers=b:1\n${text}`);
      await assert.rejects(connectionConfig({ "command-config": props }, {}), error, text);
    }
    await assert.rejects(connectionConfig({}, {}), /no brokers: give --brokers/);
    await assert.rejects(
      connectionConfig({ brokers: "nohost" }, {}),
      /invalid broker address "nohost"/,
    );
    await assert.rejects(
      connectionConfig({ brokers: "b:1", "tls-cert": file("c.pem", CERT) }, {}),
      /mutual TLS needs both/,
    );
  });
});
