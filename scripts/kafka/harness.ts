/**
 * Test harness for kafkit: runs Apache Kafka (jars cached by fetch.sh) as local KRaft
 * processes, either one combined node with every security listener or a 3-node cluster.
 *
 *   deno run -A scripts/kafka/harness.ts up [--cluster]       start (no-op when healthy)
 *   deno run -A scripts/kafka/harness.ts down [--cluster]     stop and delete the state
 *   deno run -A scripts/kafka/harness.ts status [--cluster]   node liveness, then the env
 *   deno run -A scripts/kafka/harness.ts stop-node|start-node|restart-node N   (cluster)
 *
 * State (configs, certificates, data, logs, PIDs, the env file) lives in
 * ${KAFKIT_STATE:-/tmp/kafkit-kafka}/{single,cluster}. Progress goes to stderr; the env file
 * (`export KEY=value` lines) goes to stdout, so `eval "$(deno run -A … up)"` works.
 *
 * Other knobs: KAFKIT_KAFKA_VERSION (the Kafka release to run, default 4.3.1; each version's
 * jars are cached apart, so pair a non-default one with its own KAFKIT_STATE), KAFKIT_CACHE
 * (jar cache, see fetch.sh), KAFKIT_READY_TIMEOUT_MS (default 90 s), KAFKIT_BROKER_JAVA_OPTS
 * (extra broker JVM flags, e.g. -XX:TieredStopAtLevel=4 for C2), KAFKIT_KAFKA_FEATURES
 * (feature levels to format the nodes with, comma-separated `name=level`, e.g.
 * `transaction.version=1` for a 4.x broker that speaks transactions v1 only).
 */
import { probe } from "./_probe.ts";

const KAFKA_VERSION = Deno.env.get("KAFKIT_KAFKA_VERSION") || "4.3.1";
const HOST = "127.0.0.1";
const HERE = decodeURIComponent(new URL(".", import.meta.url).pathname).replace(/\/$/, "");
const STATE_ROOT = Deno.env.get("KAFKIT_STATE") ?? "/tmp/kafkit-kafka";
const READY_TIMEOUT_MS = Number(Deno.env.get("KAFKIT_READY_TIMEOUT_MS") ?? 90_000);
const STOP_GRACE_MS = 15_000;
const STORE_PASSWORD = "kafkit-test";
const SASL_USER = "alice";
const SASL_PASSWORD = "alice-secret";
const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"];
const CLUSTER_SIZE = 3;
const FEATURES = (Deno.env.get("KAFKIT_KAFKA_FEATURES") ?? "").split(",").filter(Boolean);

/** Listener name → security protocol, for the single node. MTLS is SSL requiring certs. */
const SINGLE_LISTENERS: Record<string, string> = {
  PLAINTEXT: "PLAINTEXT",
  SASL_PLAINTEXT: "SASL_PLAINTEXT",
  SSL: "SSL",
  MTLS: "SSL",
  SASL_SSL: "SASL_SSL",
  CONTROLLER: "PLAINTEXT",
};
const CLUSTER_LISTENERS: Record<string, string> = {
  PLAINTEXT: "PLAINTEXT",
  CONTROLLER: "PLAINTEXT",
};

// Small heap and serial GC: several brokers share a 2-core machine. C1 only: starts ~1.3 s
// faster here, for ~10% less produce throughput (KAFKIT_BROKER_JAVA_OPTS can re-enable C2).
const BROKER_JVM_FLAGS = [
  "-Xms256m",
  "-Xmx512m",
  "-XX:+UseSerialGC",
  "-XX:TieredStopAtLevel=1",
  "-XX:-UsePerfData",
  "-XX:+ExitOnOutOfMemoryError",
  "-Djava.awt.headless=true",
];

type Mode = "single" | "cluster";
type Props = Record<string, string | number | boolean>;

interface NodeState {
  id: number;
  /** Listener name → port. */
  ports: Record<string, number>;
  pid: number | null;
}

interface HarnessState {
  mode: Mode;
  clusterId: string;
  java: string;
  libs: string;
  nodes: NodeState[];
}

// ---------------------------------------------------------------------------------------------
// Paths

const stateDir = (mode: Mode) => `${STATE_ROOT}/${mode}`;
const statePath = (mode: Mode) => `${stateDir(mode)}/state.json`;
const envPath = (mode: Mode) => `${stateDir(mode)}/env`;
const certDir = (mode: Mode) => `${stateDir(mode)}/certs`;
const nodeDir = (mode: Mode, id: number) => `${stateDir(mode)}/node-${id}`;
const nodeConfig = (mode: Mode, id: number) => `${nodeDir(mode, id)}/server.properties`;
const nodeLog = (mode: Mode, id: number) => `${nodeDir(mode, id)}/kafka.log`;
const clientProps = (mode: Mode, name: string) => `${stateDir(mode)}/client-${name}.properties`;

// ---------------------------------------------------------------------------------------------
// Small utilities

const log = (message: string) => console.error(`[kafka-harness] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const decoder = new TextDecoder();

/** Runs a command to completion; returns stdout, or throws with both streams on failure. */
async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdin: "null" }).output();
  const stdout = decoder.decode(out.stdout);
  if (!out.success) {
    const stderr = decoder.decode(out.stderr);
    throw new Error(`${cmd} ${args.join(" ")} exited ${out.code}\n${stdout}${stderr}`);
  }
  return stdout;
}

function formatProps(props: Props): string {
  return Object.entries(props).map(([key, value]) => `${key}=${value}\n`).join("");
}

/** Quotes a value for a POSIX shell only when it needs it, so the env file stays readable. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A Kafka-style UUID: 16 random bytes, base64url without padding, never starting with "-". */
function randomClusterId(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = btoa(String.fromCharCode(...bytes))
      .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    // A leading "-" would read as an option on the StorageTool command line.
    if (!id.startsWith("-")) return id;
  }
}

/** Picks `count` distinct free ports by binding port 0; all stay bound until all are read. */
function freePorts(count: number): number[] {
  const listeners = Array.from({ length: count }, () => Deno.listen({ hostname: HOST, port: 0 }));
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}

// ---------------------------------------------------------------------------------------------
// Java and the jars

function findOnPath(name: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch { /* not in this folder */ }
  }
  return null;
}

function findJava(): string {
  const javaHome = Deno.env.get("JAVA_HOME");
  if (javaHome && Deno.statSync(`${javaHome}/bin/java`).isFile) return `${javaHome}/bin/java`;
  const java = findOnPath("java");
  if (!java) throw new Error("java not found on PATH or in $JAVA_HOME");
  return java;
}

/** keytool from the same JDK as java (following the /usr/bin/java symlink chain). */
function findKeytool(java: string): string {
  const sibling = `${Deno.realPathSync(java).replace(/\/[^/]+$/, "")}/keytool`;
  try {
    if (Deno.statSync(sibling).isFile) return sibling;
  } catch { /* fall back to PATH */ }
  const keytool = findOnPath("keytool");
  if (!keytool) throw new Error("keytool not found next to java or on PATH");
  return keytool;
}

async function fetchLibs(): Promise<string> {
  const fetch = new Deno.Command("bash", {
    args: [`${HERE}/fetch.sh`],
    env: { KAFKIT_KAFKA_VERSION: KAFKA_VERSION },
    stdin: "null",
    stderr: "inherit", // mvn's progress, if it has to fetch
  });
  const out = await fetch.output();
  if (!out.success) throw new Error("fetch.sh failed");
  return decoder.decode(out.stdout).trim();
}

/**
 * The JVM class path: every jar but Kafka 3.x's own SLF4J binding (reload4j), which would
 * win over log4j2's and leave the broker logging nothing through our config.
 */
function classPath(libs: string): string {
  const jars = [...Deno.readDirSync(libs)].map((e) => e.name)
    .filter((name) => name.endsWith(".jar") && !name.startsWith("slf4j-reload4j-"));
  return jars.sort().map((name) => `${libs}/${name}`).join(":");
}

/** Runs a Kafka main class in the foreground (used for StorageTool). */
function runKafkaTool(state: HarnessState, mainClass: string, args: string[]): Promise<string> {
  return run(state.java, [
    "-Xmx256m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    `-Dlog4j2.configurationFile=${HERE}/log4j2-tools.properties`,
    "-cp",
    classPath(state.libs),
    mainClass,
    ...args,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Certificates (single node only): a test CA, a broker cert, a client cert for mTLS

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[broker]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // serials must be positive
  return "0x" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Runs openssl in `dir`; `args` is split on spaces (none of the arguments holds one). */
function openssl(dir: string, args: string): Promise<string> {
  return run("openssl", args.split(" "), dir);
}

const newRsaKey = (dir: string, file: string) =>
  openssl(dir, `genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ${file}`);

/** Key (unencrypted PKCS#8 PEM) and a certificate for `name`, signed by the test CA. */
async function issueCert(dir: string, name: string, subject: string): Promise<void> {
  await newRsaKey(dir, `${name}-key.pem`);
  await openssl(
    dir,
    `req -new -config openssl.cnf -key ${name}-key.pem -subj ${subject}` +
      ` -out ${name}.csr`,
  );
  await openssl(
    dir,
    `x509 -req -in ${name}.csr -CA ca.pem -CAkey ca-key.pem` +
      ` -set_serial ${randomSerial()} -days 825 -sha256 -extfile openssl.cnf -extensions ${name}` +
      ` -out ${name}.pem`,
  );
}

/** A PKCS12 keystore holding `name`'s key, certificate and the CA chain. */
function pkcs12Keystore(dir: string, name: string): Promise<string> {
  return openssl(
    dir,
    `pkcs12 -export -name ${name} -in ${name}.pem -inkey ${name}-key.pem` +
      ` -certfile ca.pem -passout pass:${STORE_PASSWORD} -out ${name}.p12`,
  );
}

async function generateCerts(dir: string, java: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/openssl.cnf`, OPENSSL_CONFIG);
  await newRsaKey(dir, "ca-key.pem");
  await openssl(
    dir,
    "req -new -x509 -config openssl.cnf -extensions ca -key ca-key.pem" +
      " -subj /CN=kafkit-test-ca -days 825 -sha256 -out ca.pem",
  );
  await issueCert(dir, "broker", "/CN=localhost");
  await issueCert(dir, "client", "/CN=kafkit-client");
  await pkcs12Keystore(dir, "broker");
  await pkcs12Keystore(dir, "client");
  // keytool, not openssl: Java only trusts PKCS12 certificate entries that keytool marks.
  const keytoolArgs = "-importcert -noprompt -alias kafkit-ca -file ca.pem -storetype PKCS12" +
    ` -keystore truststore.p12 -storepass ${STORE_PASSWORD}`;
  await run(findKeytool(java), keytoolArgs.split(" "), dir);
}

// ---------------------------------------------------------------------------------------------
// Broker configuration

function listenerProps(node: NodeState, listeners: Record<string, string>): Props {
  const names = Object.keys(listeners);
  const url = (name: string) => `${name}://${HOST}:${node.ports[name]}`;
  return {
    "listeners": names.map(url).join(","),
    "advertised.listeners": names.filter((n) => n !== "CONTROLLER").map(url).join(","),
    "listener.security.protocol.map": names.map((n) => `${n}:${listeners[n]}`).join(","),
    "inter.broker.listener.name": "PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
  };
}

function commonProps(mode: Mode, node: NodeState, voters: NodeState[]): Props {
  return {
    "node.id": node.id,
    "process.roles": "broker,controller",
    // Static voters: the quorum is fixed, so restarts re-use the same config untouched.
    "controller.quorum.voters": voters.map((v) => `${v.id}@${HOST}:${v.ports.CONTROLLER}`)
      .join(","),
    "log.dirs": `${nodeDir(mode, node.id)}/data`,
    "num.partitions": 1,
    "auto.create.topics.enable": true,
    "group.initial.rebalance.delay.ms": 0,
    // KIP-848 groups heartbeat every 5 s by default (also the minimum); tests want quicker
    // reconciliation, and a crashed member noticed sooner.
    "group.consumer.min.heartbeat.interval.ms": 500,
    "group.consumer.heartbeat.interval.ms": 1000,
    "group.consumer.min.session.timeout.ms": 6000,
    "group.consumer.session.timeout.ms": 10000,
    // Share groups (KIP-932) likewise, and record locks short enough that a test can wait
    // for a crashed member's records to come back (tests set a group's lock to 1 s).
    "group.share.min.heartbeat.interval.ms": 500,
    "group.share.heartbeat.interval.ms": 1000,
    "group.share.min.session.timeout.ms": 6000,
    "group.share.session.timeout.ms": 10000,
    "group.share.min.record.lock.duration.ms": 1000,
    "share.coordinator.state.topic.num.partitions": 10,
    // Fewer internal partitions: faster first group/transaction use, still spread on 3 nodes.
    "offsets.topic.num.partitions": 10,
    "transaction.state.log.num.partitions": 10,
    // Small segments and indexes: tests write little, and index files are preallocated.
    "log.segment.bytes": 8 * 1024 * 1024,
    "log.index.size.max.bytes": 1024 * 1024,
    // A restarted broker cannot re-register until its previous session expires (9 s by
    // default), and a killed broker stays "alive" that long; shorten both for tests.
    "broker.heartbeat.interval.ms": 1000,
    "broker.session.timeout.ms": 5000,
    // The cleaner's default 128 MiB dedupe buffer would take a quarter of the small heap.
    "log.cleaner.dedupe.buffer.size": 32 * 1024 * 1024,
  };
}

function replicationProps(replicas: number, minIsr: number): Props {
  return {
    "default.replication.factor": replicas,
    "min.insync.replicas": minIsr,
    "offsets.topic.replication.factor": replicas,
    "transaction.state.log.replication.factor": replicas,
    "transaction.state.log.min.isr": minIsr,
    "share.coordinator.state.topic.replication.factor": replicas,
    "share.coordinator.state.topic.min.isr": minIsr,
  };
}

const PLAIN_JAAS = `org.apache.kafka.common.security.plain.PlainLoginModule required ` +
  `user_${SASL_USER}="${SASL_PASSWORD}";`;
const SCRAM_JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
// The broker's default OAUTHBEARER handlers: unsecured JWTs, the subject taken as principal.
const OAUTH_JAAS = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule " +
  `required unsecuredLoginStringClaim_sub="kafkit-broker";`;

/** SASL mechanisms and their listener-prefixed JAAS configs on one listener. */
function saslProps(listener: string): Props {
  const prefix = `listener.name.${listener.toLowerCase()}`;
  return {
    [`${prefix}.sasl.enabled.mechanisms`]: SASL_MECHANISMS.join(","),
    [`${prefix}.plain.sasl.jaas.config`]: PLAIN_JAAS,
    [`${prefix}.scram-sha-256.sasl.jaas.config`]: SCRAM_JAAS,
    [`${prefix}.scram-sha-512.sasl.jaas.config`]: SCRAM_JAAS,
    [`${prefix}.oauthbearer.sasl.jaas.config`]: OAUTH_JAAS,
  };
}

function sslProps(mode: Mode): Props {
  const certs = certDir(mode);
  return {
    "ssl.keystore.type": "PKCS12",
    "ssl.keystore.location": `${certs}/broker.p12`,
    "ssl.keystore.password": STORE_PASSWORD,
    "ssl.key.password": STORE_PASSWORD,
    "ssl.truststore.type": "PKCS12",
    "ssl.truststore.location": `${certs}/truststore.p12`,
    "ssl.truststore.password": STORE_PASSWORD,
    "listener.name.ssl.ssl.client.auth": "requested",
    "listener.name.mtls.ssl.client.auth": "required",
    "listener.name.sasl_ssl.ssl.client.auth": "none",
  };
}

function singleNodeProps(node: NodeState): Props {
  return {
    ...commonProps("single", node, [node]),
    ...listenerProps(node, SINGLE_LISTENERS),
    ...replicationProps(1, 1),
    ...sslProps("single"),
    ...saslProps("SASL_PLAINTEXT"),
    ...saslProps("SASL_SSL"),
    ...adminProps(),
  };
}

/**
 * What the admin tests need on the single node: ACLs enforced (the harness users are super
 * users, and a resource without ACLs stays open so the other tests are unaffected) and
 * delegation tokens.
 */
function adminProps(): Props {
  return {
    "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "super.users": `User:ANONYMOUS;User:${SASL_USER}`,
    "allow.everyone.if.no.acl.found": true,
    "delegation.token.secret.key": "kafkit-harness-delegation-token-secret",
  };
}

function clusterNodeProps(node: NodeState, all: NodeState[]): Props {
  return {
    ...commonProps("cluster", node, all),
    ...listenerProps(node, CLUSTER_LISTENERS),
    ...replicationProps(CLUSTER_SIZE, 2),
    // One rack per node, and followers serve consumers in their rack (KIP-392).
    "broker.rack": `rack-${node.id}`,
    "replica.selector.class": "org.apache.kafka.common.replica.RackAwareReplicaSelector",
  };
}

/** Writes server.properties and formats the node's log dir (SCRAM users for single). */
async function prepareNode(state: HarnessState, node: NodeState): Promise<void> {
  const { mode } = state;
  await Deno.mkdir(nodeDir(mode, node.id), { recursive: true });
  const props = mode === "single" ? singleNodeProps(node) : clusterNodeProps(node, state.nodes);
  await Deno.writeTextFile(nodeConfig(mode, node.id), formatProps(props));
  const scram = mode === "single"
    ? ["SCRAM-SHA-256", "SCRAM-SHA-512"].flatMap((mech) => [
      "--add-scram",
      `${mech}=[name=${SASL_USER},password=${SASL_PASSWORD}]`,
    ])
    : [];
  await runKafkaTool(state, "kafka.tools.StorageTool", [
    "format",
    "--cluster-id",
    state.clusterId,
    "--config",
    nodeConfig(mode, node.id),
    ...scram,
    ...FEATURES.flatMap((feature) => ["--feature", feature]),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Starts a node detached (it outlives the harness), output appended to its kafka.log. */
function spawnNode(state: HarnessState, node: NodeState): number {
  const { mode } = state;
  const java = [
    state.java,
    ...BROKER_JVM_FLAGS,
    ...(Deno.env.get("KAFKIT_BROKER_JAVA_OPTS")?.split(/\s+/).filter(Boolean) ?? []),
    `-Dlog4j2.configurationFile=${HERE}/log4j2-broker.properties`,
    "-cp",
    classPath(state.libs),
    "kafka.Kafka",
    nodeConfig(mode, node.id),
  ];
  // sh only redirects and then execs java, so the recorded PID is the broker's own. It first
  // closes descriptors it inherited (say a `flock` lock held by whoever ran the harness): a
  // broker must not keep them open for its whole life.
  // (dash redirects single-digit descriptors only.)
  const script =
    'log="$1"; shift; for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done; exec "$@" >>"$log" 2>&1';
  const child = new Deno.Command("sh", {
    args: ["-c", script, "sh", nodeLog(mode, node.id), ...java],
    cwd: nodeDir(mode, node.id),
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  return child.pid;
}

/** True if `pid` runs (or is about to exec) our broker: kafka.Kafka with this node's config. */
function isOurBroker(pid: number, configPath: string): boolean {
  try {
    const args = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0");
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const zombie = stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
    // While `sh` execs the JVM the command line reads empty for a moment: still ours.
    const execing = args.join("") === "";
    return !zombie && (execing || args.includes("kafka.Kafka") && args.includes(configPath));
  } catch {
    return false; // no such process
  }
}

const nodeAlive = (mode: Mode, node: NodeState) =>
  node.pid !== null && isOurBroker(node.pid, nodeConfig(mode, node.id));

/** SIGTERM (a clean, controlled shutdown), then SIGKILL whatever is left after the grace. */
async function stopNodes(mode: Mode, nodes: NodeState[]): Promise<void> {
  const running = nodes.filter((n) => nodeAlive(mode, n));
  for (const n of running) signal(n.pid!, "SIGTERM");
  const deadline = Date.now() + STOP_GRACE_MS;
  while (running.some((n) => nodeAlive(mode, n)) && Date.now() < deadline) await sleep(100);
  for (const n of running.filter((n) => nodeAlive(mode, n))) {
    log(`node ${n.id} (pid ${n.pid}) ignored SIGTERM for ${STOP_GRACE_MS} ms; sending SIGKILL`);
    signal(n.pid!, "SIGKILL");
  }
  while (running.some((n) => nodeAlive(mode, n))) await sleep(50);
  for (const n of nodes) n.pid = null;
}

function signal(pid: number, sig: Deno.Signal): void {
  try {
    Deno.kill(pid, sig);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err; // already gone
  }
}

// ---------------------------------------------------------------------------------------------
// Readiness

/** Waits until the node answers ApiVersions and its Metadata lists `brokers` brokers. */
async function waitNodeReady(
  mode: Mode,
  node: NodeState,
  brokers: number,
  deadline: number,
): Promise<void> {
  let last = "no attempt yet";
  while (Date.now() < deadline) {
    if (!nodeAlive(mode, node)) throw new Error(`node ${node.id} exited during startup`);
    try {
      const result = await probe(HOST, node.ports.PLAINTEXT, 5000);
      if (result.brokers === brokers) return;
      last = `metadata lists ${result.brokers} of ${brokers} brokers`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  throw new Error(`node ${node.id} not ready after ${READY_TIMEOUT_MS} ms (${last})`);
}

/** Every other listener must accept TCP connections too (they share the broker's start-up). */
async function waitListenersOpen(node: NodeState, deadline: number): Promise<void> {
  for (const [name, port] of Object.entries(node.ports)) {
    for (;;) {
      try {
        (await Deno.connect({ hostname: HOST, port })).close();
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`listener ${name} (${port}): ${err}`);
        await sleep(250);
      }
    }
  }
}

async function waitReady(state: HarnessState, nodes: NodeState[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // Nodes that were started (a freshly spawned JVM may not show its command line yet).
  const expected = state.nodes.filter((n) => n.pid !== null).length;
  await Promise.all(nodes.map(async (node) => {
    await waitNodeReady(state.mode, node, expected, deadline);
    await waitListenersOpen(node, deadline);
  }));
  // A restarted node replays its old metadata first and may list itself before the
  // controller has fenced and re-admitted it. The nodes that kept running see the fence, and
  // list it again only once the controller unfenced it, which waits until it caught up. So
  // every running node must agree before topics can be created with all replicas.
  const others = state.nodes.filter((n) => n.pid !== null && !nodes.includes(n));
  await Promise.all(others.map((node) => waitNodeReady(state.mode, node, expected, deadline)));
}

async function isHealthy(state: HarnessState): Promise<boolean> {
  if (!state.nodes.every((n) => nodeAlive(state.mode, n))) return false;
  try {
    const results = await Promise.all(state.nodes.map((n) => probe(HOST, n.ports.PLAINTEXT, 3000)));
    return results.every((r) => r.brokers === state.nodes.length);
  } catch {
    return false;
  }
}

async function printLogTails(state: HarnessState, nodes: NodeState[], lines = 80) {
  for (const node of nodes) {
    const path = nodeLog(state.mode, node.id);
    const text = await Deno.readTextFile(path).catch(() => "(no log)");
    const errors = text.split("\n").filter((l) => /\b(ERROR|FATAL)\b|Exception/.test(l));
    if (errors.length > 0) {
      console.error(`\n----- errors in ${path} -----`);
      console.error(errors.slice(-20).join("\n"));
    }
    console.error(`\n----- last ${lines} lines of ${path} -----`);
    console.error(text.split("\n").slice(-lines - 1).join("\n"));
  }
}

/** Starts `nodes` and waits; on failure shows their logs, stops them and rethrows. */
async function startNodes(state: HarnessState, nodes: NodeState[]): Promise<void> {
  for (const node of nodes) {
    node.pid = spawnNode(state, node);
    log(`node ${node.id} started, pid ${node.pid}, log ${nodeLog(state.mode, node.id)}`);
  }
  await saveState(state);
  try {
    await waitReady(state, nodes);
  } catch (err) {
    await printLogTails(state, nodes);
    log("stopping the nodes that were started");
    await stopNodes(state.mode, nodes);
    await saveState(state);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// State and env files

async function loadState(mode: Mode): Promise<HarnessState | null> {
  try {
    return JSON.parse(await Deno.readTextFile(statePath(mode))) as HarnessState;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

async function saveState(state: HarnessState): Promise<void> {
  await Deno.writeTextFile(statePath(state.mode), JSON.stringify(state, null, 2) + "\n");
}

const address = (node: NodeState, listener = "PLAINTEXT") => `${HOST}:${node.ports[listener]}`;

function singleEnv(state: HarnessState): Record<string, string> {
  const [node] = state.nodes;
  const certs = certDir("single");
  return {
    KAFKA_VERSION,
    KAFKA_BROKERS: address(node),
    KAFKA_SASL_BROKERS: address(node, "SASL_PLAINTEXT"),
    KAFKA_SSL_BROKERS: address(node, "SSL"),
    KAFKA_MTLS_BROKERS: address(node, "MTLS"),
    KAFKA_SASL_SSL_BROKERS: address(node, "SASL_SSL"),
    KAFKA_CA: `${certs}/ca.pem`,
    KAFKA_CLIENT_CERT: `${certs}/client.pem`,
    KAFKA_CLIENT_KEY: `${certs}/client-key.pem`,
    KAFKA_TRUSTSTORE: `${certs}/truststore.p12`,
    KAFKA_TRUSTSTORE_PASSWORD: STORE_PASSWORD,
    KAFKA_SASL_USER: SASL_USER,
    KAFKA_SASL_PASSWORD: SASL_PASSWORD,
    KAFKA_LIBS: state.libs,
    KAFKA_JAVA_SASL_PROPERTIES: clientProps("single", "sasl"),
    KAFKA_JAVA_SSL_PROPERTIES: clientProps("single", "ssl"),
    KAFKA_JAVA_MTLS_PROPERTIES: clientProps("single", "mtls"),
    KAFKA_JAVA_SASL_SSL_PROPERTIES: clientProps("single", "sasl-ssl"),
    KAFKA_PID: String(node.pid ?? ""),
  };
}

function clusterEnv(state: HarnessState): Record<string, string> {
  const env: Record<string, string> = {
    KAFKA_VERSION,
    KAFKA_CLUSTER_BROKERS: state.nodes.map((n) => address(n)).join(","),
  };
  for (const node of state.nodes) env[`KAFKA_CLUSTER_NODE_${node.id}`] = address(node);
  // Positional (node 1, 2, 3); a stopped node's entry is empty.
  env.KAFKA_CLUSTER_PIDS = state.nodes.map((n) => n.pid ?? "").join(",");
  env.KAFKA_LIBS = state.libs;
  return env;
}

/** Java client configs for the secured listeners (console tools' --command-config etc.). */
async function writeClientProps(): Promise<void> {
  const certs = certDir("single");
  const scram = {
    "sasl.mechanism": "SCRAM-SHA-512",
    "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required " +
      `username="${SASL_USER}" password="${SASL_PASSWORD}";`,
  };
  const trust = {
    "ssl.truststore.type": "PKCS12",
    "ssl.truststore.location": `${certs}/truststore.p12`,
    "ssl.truststore.password": STORE_PASSWORD,
  };
  const files: Record<string, Props> = {
    "sasl": { "security.protocol": "SASL_PLAINTEXT", ...scram },
    "ssl": { "security.protocol": "SSL", ...trust },
    "mtls": {
      "security.protocol": "SSL",
      ...trust,
      "ssl.keystore.type": "PKCS12",
      "ssl.keystore.location": `${certs}/client.p12`,
      "ssl.keystore.password": STORE_PASSWORD,
      "ssl.key.password": STORE_PASSWORD,
    },
    "sasl-ssl": { "security.protocol": "SASL_SSL", ...scram, ...trust },
  };
  for (const [name, props] of Object.entries(files)) {
    await Deno.writeTextFile(clientProps("single", name), formatProps(props));
  }
}

async function writeEnv(state: HarnessState): Promise<string> {
  const env = state.mode === "single" ? singleEnv(state) : clusterEnv(state);
  const text = Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}\n`).join("");
  await Deno.writeTextFile(envPath(state.mode), text);
  return text;
}

async function printEnv(mode: Mode): Promise<void> {
  const text = await Deno.readTextFile(envPath(mode)).catch(() => "");
  if (text) console.log(text.trimEnd());
}

// ---------------------------------------------------------------------------------------------
// Commands

async function up(mode: Mode): Promise<void> {
  const previous = await loadState(mode);
  if (previous && await isHealthy(previous)) {
    log(`${mode} already up`);
    await printEnv(mode);
    return;
  }
  if (previous) {
    log(`${mode}: stale state in ${stateDir(mode)}; stopping leftovers and starting over`);
    await stopNodes(mode, previous.nodes);
  }
  await Deno.remove(stateDir(mode), { recursive: true }).catch(() => {});
  await Deno.mkdir(stateDir(mode), { recursive: true });

  const started = Date.now();
  const state: HarnessState = {
    mode,
    clusterId: randomClusterId(),
    java: findJava(),
    libs: await fetchLibs(),
    nodes: allocateNodes(mode),
  };
  // Formatting needs no certificates, so both JVM-bound and openssl-bound setup overlap.
  const setup = state.nodes.map((node) => prepareNode(state, node));
  if (mode === "single") {
    setup.push(generateCerts(certDir(mode), state.java).then(writeClientProps));
  }
  await Promise.all(setup);
  log(`formatted in ${Date.now() - started} ms; starting ${state.nodes.length} node(s)`);
  await startNodes(state, state.nodes);
  await saveState(state);
  log(`${mode} ready in ${Date.now() - started} ms`);
  console.log((await writeEnv(state)).trimEnd());
}

function allocateNodes(mode: Mode): NodeState[] {
  const listeners = Object.keys(mode === "single" ? SINGLE_LISTENERS : CLUSTER_LISTENERS);
  const count = mode === "single" ? 1 : CLUSTER_SIZE;
  const ports = freePorts(count * listeners.length);
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    ports: Object.fromEntries(listeners.map((l, j) => [l, ports[i * listeners.length + j]])),
    pid: null,
  }));
}

async function down(mode: Mode): Promise<void> {
  const state = await loadState(mode);
  if (state) {
    await stopNodes(mode, state.nodes);
    log(`${mode}: stopped ${state.nodes.length} node(s)`);
  } else {
    log(`${mode}: nothing recorded as running`);
  }
  await Deno.remove(stateDir(mode), { recursive: true }).catch(() => {});
}

/** Prints each node's liveness as shell comments, then the env; exit code 1 if unhealthy. */
async function status(mode: Mode): Promise<number> {
  const state = await loadState(mode);
  if (!state) {
    console.log(`# ${mode}: not up`);
    return 1;
  }
  let healthy = true;
  for (const node of state.nodes) {
    const alive = nodeAlive(mode, node);
    const ready = alive
      ? await probe(HOST, node.ports.PLAINTEXT, 3000).then(
        (r) => `ready, metadata lists ${r.brokers} broker(s)`,
        (err) => `not answering (${err instanceof Error ? err.message : err})`,
      )
      : "not running";
    healthy &&= alive && ready.startsWith("ready");
    console.log(`# node ${node.id} pid ${node.pid ?? "-"} ${address(node)}: ${ready}`);
  }
  await printEnv(mode);
  return healthy ? 0 : 1;
}

async function clusterNode(id: number): Promise<{ state: HarnessState; node: NodeState }> {
  const state = await loadState("cluster");
  if (!state) throw new Error("the cluster is not up (run: up --cluster)");
  const node = state.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id}; nodes are 1..${state.nodes.length}`);
  return { state, node };
}

async function stopNode(id: number): Promise<void> {
  const { state, node } = await clusterNode(id);
  await stopNodes("cluster", [node]);
  await saveState(state);
  await writeEnv(state);
  log(`node ${id} stopped`);
}

async function startNode(id: number): Promise<void> {
  const { state, node } = await clusterNode(id);
  if (nodeAlive("cluster", node)) {
    log(`node ${id} already running (pid ${node.pid}); waiting for readiness`);
    await waitReady(state, [node]);
  } else {
    try {
      await startNodes(state, [node]);
    } catch (err) {
      // Seen once right after a stop on a loaded machine: the new process died before it
      // logged anything. One more start, after a pause, before giving up.
      if (!(err instanceof Error && /exited during startup/.test(err.message))) throw err;
      log(`node ${id} exited during startup; starting it once more`);
      await sleep(2_000);
      await startNodes(state, [node]);
    }
  }
  await saveState(state);
  console.log((await writeEnv(state)).trimEnd());
}

// ---------------------------------------------------------------------------------------------
// Entry point

const USAGE = `usage: harness.ts up|down|status [--cluster]
       harness.ts stop-node|start-node|restart-node <1-${CLUSTER_SIZE}>`;

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const mode: Mode = rest.includes("--cluster") ? "cluster" : "single";
  const nodeId = Number(rest.find((a) => /^\d+$/.test(a)));
  switch (command) {
    case "up":
      await up(mode);
      return 0;
    case "down":
      await down(mode);
      return 0;
    case "status":
      return await status(mode);
    case "stop-node":
    case "start-node":
    case "restart-node":
      if (!Number.isInteger(nodeId)) break;
      if (command !== "start-node") await stopNode(nodeId);
      if (command !== "stop-node") await startNode(nodeId);
      return 0;
  }
  console.error(USAGE);
  return 2;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    log(err instanceof Error ? err.message : String(err));
    Deno.exit(1);
  }
}
