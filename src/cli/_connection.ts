/**
 * Where and how the CLI connects, from (in order of precedence) flags, a Java client
 * `.properties` file and the environment. Secrets (the SASL password) come only from the
 * file or the environment, never from a flag, so they stay out of shell history and `ps`.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { parseBrokers } from "../config.ts";
import type { TlsOptions } from "../transport/socket.ts";
import type { SaslOptions } from "../transport/sasl/mod.ts";
import { stringOf, UsageError, type Values } from "./_args.ts";
import { parseProperties } from "./_properties.ts";

/** What the CLI hands to its clients. */
export interface ConnectionConfig {
  brokers: string[];
  tls?: TlsOptions;
  sasl?: SaslOptions;
  clientId?: string;
}

const MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
type Mechanism = (typeof MECHANISMS)[number];

/** Settings before they are checked, each from the first source that has it. */
interface Settings {
  brokers?: string;
  tls?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
  mechanism?: string;
  username?: string;
  password?: string;
  clientId?: string;
}

/** Reads flags, the `--command-config` file and the environment into connection options. */
export async function connectionConfig(
  values: Values,
  env: Record<string, string | undefined>,
): Promise<ConnectionConfig> {
  const file = stringOf(values, "command-config");
  const fromFile = file === undefined ? {} : await propertiesSettings(file);
  const fromFlags: Settings = {
    brokers: stringOf(values, "brokers"),
    tls: values.tls === true || undefined,
    ca: await pemFile("--tls-ca", stringOf(values, "tls-ca")),
    cert: await pemFile("--tls-cert", stringOf(values, "tls-cert")),
    key: await pemFile("--tls-key", stringOf(values, "tls-key")),
    insecure: values["tls-insecure"] === true || undefined,
    mechanism: stringOf(values, "sasl-mechanism"),
    username: stringOf(values, "sasl-username"),
  };
  const fromEnv: Settings = {
    brokers: env.KAFKA_BROKERS || undefined,
    ca: await pemFile("KAFKA_TLS_CA", env.KAFKA_TLS_CA || undefined),
    cert: await pemFile("KAFKA_TLS_CERT", env.KAFKA_TLS_CERT || undefined),
    key: await pemFile("KAFKA_TLS_KEY", env.KAFKA_TLS_KEY || undefined),
    mechanism: env.KAFKA_SASL_MECHANISM || undefined,
    username: env.KAFKA_SASL_USERNAME || undefined,
    password: env.KAFKA_SASL_PASSWORD || undefined,
  };
  const s: Settings = {};
  for (const source of [fromEnv, fromFile, fromFlags]) {
    for (const [k, v] of Object.entries(source)) {
      if (v !== undefined) (s as Record<string, unknown>)[k] = v;
    }
  }
  return checked(s, file !== undefined);
}

function checked(s: Settings, hasFile: boolean): ConnectionConfig {
  if (!s.brokers) {
    throw new UsageError(
      `no brokers: give --brokers HOST:PORT, set KAFKA_BROKERS${
        hasFile ? "" : " or bootstrap.servers in a --command-config file"
      }`,
    );
  }
  let brokers: string[];
  try {
    brokers = parseBrokers(s.brokers, "brokers");
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const config: ConnectionConfig = { brokers };
  if (s.clientId) config.clientId = s.clientId;
  if (s.cert !== undefined && s.key === undefined || s.key !== undefined && s.cert === undefined) {
    throw new UsageError("mutual TLS needs both a client certificate and its key");
  }
  if (s.tls || s.ca !== undefined || s.cert !== undefined || s.insecure) {
    config.tls = {
      ...(s.ca !== undefined ? { ca: s.ca } : {}),
      ...(s.cert !== undefined ? { cert: s.cert, key: s.key } : {}),
      ...(s.insecure ? { rejectUnauthorized: false } : {}),
    };
  }
  if (s.mechanism !== undefined) config.sasl = saslOf(s);
  return config;
}

function saslOf(s: Settings): SaslOptions {
  const mechanism = s.mechanism!.toUpperCase();
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
    throw new UsageError(
      `SASL mechanism ${s.mechanism} is not supported by the CLI (use ${MECHANISMS.join(", ")})`,
    );
  }
  if (!s.username) {
    throw new UsageError("SASL needs a user: --sasl-username or KAFKA_SASL_USERNAME");
  }
  if (!s.password) throw new UsageError("SASL needs a password: set KAFKA_SASL_PASSWORD");
  return { mechanism: mechanism as Mechanism, username: s.username, password: s.password };
}

async function pemFile(what: string, path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Settings a Java client config names; what kafkit cannot honour is an error, not ignored. */
async function propertiesSettings(path: string): Promise<Settings> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`--command-config: cannot read ${path}: ${(e as Error).message}`);
  }
  const p = parseProperties(text);
  const fail = (message: string): never => {
    throw new UsageError(`${path}: ${message}`);
  };
  for (const key of UNSUPPORTED_KEYS) {
    if (p.has(key)) fail(`${key} is not supported by kafkit`);
  }
  const protocol = (p.get("security.protocol") ?? "PLAINTEXT").toUpperCase();
  if (!["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].includes(protocol)) {
    fail(`unknown security.protocol ${protocol}`);
  }
  const s: Settings = { brokers: p.get("bootstrap.servers"), clientId: p.get("client.id") };
  if (protocol.endsWith("SSL")) Object.assign(s, { tls: true }, await sslSettings(p, fail));
  if (protocol.startsWith("SASL")) Object.assign(s, jaasSettings(p, fail));
  return s;
}

const UNSUPPORTED_KEYS = [
  "sasl.client.callback.handler.class",
  "sasl.login.callback.handler.class",
  "sasl.login.class",
  "ssl.engine.factory.class",
];

async function sslSettings(
  p: Map<string, string>,
  fail: (message: string) => never,
): Promise<Settings> {
  const s: Settings = {};
  if (p.get("ssl.endpoint.identification.algorithm") === "") {
    fail(
      "turning off only host name verification (empty ssl.endpoint.identification.algorithm) " +
        "is not supported; --tls-insecure turns off all certificate checks",
    );
  }
  const truststore = p.get("ssl.truststore.location");
  const trustType = (p.get("ssl.truststore.type") ?? "JKS").toUpperCase();
  if (p.has("ssl.truststore.certificates")) s.ca = p.get("ssl.truststore.certificates");
  else if (truststore !== undefined) {
    if (trustType !== "PEM") {
      fail(
        `ssl.truststore.type ${trustType} is not supported: kafkit reads PEM only (convert ` +
          `with: openssl pkcs12 -in ${truststore} -nokeys -out ca.pem, then set ` +
          `ssl.truststore.type=PEM and ssl.truststore.location=ca.pem)`,
      );
    }
    s.ca = await pemFile("ssl.truststore.location", truststore);
  }
  const keystore = p.get("ssl.keystore.location");
  const keyType = (p.get("ssl.keystore.type") ?? "JKS").toUpperCase();
  if (p.has("ssl.keystore.certificate.chain") || p.has("ssl.keystore.key")) {
    s.cert = p.get("ssl.keystore.certificate.chain");
    s.key = p.get("ssl.keystore.key");
  } else if (keystore !== undefined) {
    if (keyType !== "PEM") {
      fail(
        `ssl.keystore.type ${keyType} is not supported: kafkit reads PEM only (a file with ` +
          `the unencrypted private key and the certificate chain, ssl.keystore.type=PEM)`,
      );
    }
    const pem = (await pemFile("ssl.keystore.location", keystore))!;
    s.cert = pemBlocks(pem, /CERTIFICATE/);
    s.key = pemBlocks(pem, /PRIVATE KEY/);
    if (!s.cert || !s.key) fail(`${keystore} needs both a private key and a certificate`);
  }
  if (s.key !== undefined && p.has("ssl.key.password")) {
    fail("encrypted private keys (ssl.key.password) are not supported: decrypt the key");
  }
  return s;
}

/** The PEM blocks of `pem` whose label matches (a keystore file holds key and chain). */
function pemBlocks(pem: string, label: RegExp): string {
  const blocks = pem.match(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  return blocks.filter((b) => label.test(b.slice(0, b.indexOf("\n")))).join("\n");
}

/** The mechanism and credentials of `sasl.jaas.config` (PLAIN and SCRAM login modules). */
function jaasSettings(p: Map<string, string>, fail: (message: string) => never): Settings {
  const mechanism = (p.get("sasl.mechanism") ?? "GSSAPI").toUpperCase();
  if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
    fail(`sasl.mechanism ${mechanism} is not supported (use ${MECHANISMS.join(", ")})`);
  }
  const jaas = p.get("sasl.jaas.config");
  if (jaas === undefined) return { mechanism };
  const module = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b/.exec(jaas);
  if (!module || !/\.(PlainLoginModule|ScramLoginModule)$/.test(module[1])) {
    fail(`sasl.jaas.config: only the PLAIN and SCRAM login modules are supported`);
  }
  const options = new Map<string, string>();
  for (const m of jaas.matchAll(/([\w.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))/g)) {
    options.set(m[1], m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]);
  }
  return { mechanism, username: options.get("username"), password: options.get("password") };
}
