// Observability against the real broker: the client core's stats(), OpenTelemetry spans and
// metrics recorded by the SDK's in-memory exporters (a producer's trace continuing in the
// consumer through the records' traceparent header), and logs free of secrets over SASL.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as otel from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { ConsumerGroup, dial, type LogLevel, Reader, WriteErrors, Writer } from "../../mod.ts";
import { Cluster } from "../../src/core.ts";
import { traceparentOf } from "../../src/telemetry.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { waitFor } from "../_eventually.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const uniqueTopic = (name: string) =>
  `kafkit-obs-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const dec = new TextDecoder();

async function createTopic(topic: string, partitions = 1): Promise<void> {
  await using conn = await dial(brokers()[0]);
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

/** An SDK tracer and meter whose spans and metrics stay in memory. */
function sdk() {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  });
  const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metrics,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    telemetry: {
      api: otel,
      tracer: tracerProvider.getTracer("kafkit"),
      meter: meterProvider.getMeter("kafkit"),
    },
    spans: () => spans.getFinishedSpans(),
    /** Every metric collected now, by name. */
    async metrics(): Promise<Map<string, MetricData>> {
      await reader.forceFlush();
      const all = metrics.getMetrics().at(-1)?.scopeMetrics.flatMap((s) => s.metrics) ?? [];
      return new Map(all.map((m) => [m.descriptor.name, m]));
    },
    shutdown: () => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]),
  };
}

/** The sum of a counter's data points whose attributes include `where`. */
function total(metric: MetricData | undefined, where: Record<string, string> = {}): number {
  assert.ok(metric, "the metric was recorded");
  return (metric.dataPoints as DataPoint<number>[])
    .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
    .reduce((n, p) => n + p.value, 0);
}

describe(`observability (${RUNTIME})`, () => {
  const telemetry = sdk();
  after(() => telemetry.shutdown());

  test("Cluster.stats(): connections, dials, requests in flight, latency per API, metadata refreshes", async () => {
    const topic = uniqueTopic("stats");
    await createTopic(topic);
    const cluster = new Cluster({ brokers: brokers() });
    try {
      await using w = new Writer({ cluster, topic });
      await w.writeMessages([{ value: "a" }, { value: "b" }]);
      await using r = new Reader({ cluster, topic, partition: 0, maxWait: 2_000 });
      assert.equal(dec.decode((await r.readMessage()).value!), "a");
      assert.equal(dec.decode((await r.readMessage()).value!), "b");
      const s = cluster.stats();
      assert.ok(s.connections >= 2, `connections ${s.connections}`); // default and fetch lanes
      // Every open connection was dialed, and each dial timed, by the same counters.
      assert.ok(s.dials >= s.connections && s.dialTime.count === s.dials, JSON.stringify(s));
      assert.equal(s.timeouts, 0);
      for (const api of ["Produce", "Fetch", "Metadata"]) {
        const a = s.requests[api];
        assert.ok(
          a && a.requests >= 1 && a.latency.count === a.requests,
          `${api}: ${JSON.stringify(a)}`,
        );
        assert.ok(a.latency.max >= a.latency.min && a.latency.min >= 0);
      }
      assert.equal(s.requests.Produce.errors, 0);
      assert.ok(s.metadataRefreshes >= 1);
      // The reader long-polls for more: its Fetch waits at the broker.
      await waitFor("a fetch in flight", () => cluster.stats().requestsInFlight >= 1, 5_000, 20);
      // Counted since the last call: the earlier ones were taken.
      const later = cluster.stats();
      assert.equal(later.requests.Produce, undefined);
      assert.equal(later.metadataRefreshes, 0);
      cluster.invalidate(topic);
      await cluster.refresh([topic]);
      const again = cluster.stats();
      assert.equal(again.metadataRefreshes, 1);
      assert.equal(again.requests.Metadata.requests, 1);
    } finally {
      await cluster.close();
    }
    assert.equal(cluster.stats().connections, 0);
  });

  test("send, receive and process spans with messaging attributes; the producer's trace continues in the consumer", async () => {
    const topic = uniqueTopic("trace");
    await createTopic(topic, 2);
    const groupId = `${topic}-g`;
    const w = new Writer({ brokers: brokers(), topic, telemetry: telemetry.telemetry });
    const theirs = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await w.writeMessages([
      { key: "k1", value: "one" },
      { key: "k2", value: "two" },
      { value: "traced elsewhere", headers: [{ key: "traceparent", value: theirs }] },
    ]);
    await w.close();
    const sends = telemetry.spans().filter((s) => s.name === `send ${topic}`);
    assert.equal(sends.length, 3);
    for (const s of sends) {
      assert.equal(s.kind, otel.SpanKind.PRODUCER);
      assert.equal(s.status.code, otel.SpanStatusCode.UNSET);
      assert.equal(s.attributes["messaging.system"], "kafka");
      assert.equal(s.attributes["messaging.destination.name"], topic);
      assert.equal(s.attributes["messaging.operation.name"], "send");
      assert.equal(s.attributes["messaging.operation.type"], "send");
      assert.match(String(s.attributes["messaging.destination.partition.id"]), /^[01]$/);
    }

    const r = new Reader({
      brokers: brokers(),
      topic,
      groupId,
      groupProtocol: "consumer",
      maxWait: 200,
      telemetry: telemetry.telemetry,
    });
    const read = [];
    try {
      for await (const m of r) {
        read.push(m);
        if (read.length === 3) break;
      }
    } finally {
      await r.close();
    }
    const spanOf = (traceparent: string | undefined) =>
      sends.find((s) => traceparentOf(s.spanContext()) === traceparent);
    const consumer = telemetry.spans().filter((s) => s.name.endsWith(` ${topic}`));
    for (const m of read) {
      const header = m.headers.find((h) => h.key === "traceparent");
      const traceparent = header?.value ? dec.decode(header.value) : undefined;
      const produced: ReadableSpan | undefined = spanOf(traceparent);
      if (dec.decode(m.value!) === "traced elsewhere") {
        assert.equal(traceparent, theirs, "a message's own trace context is left as it was");
        continue;
      }
      assert.ok(produced, `message ${m.offset} carries its send span's context: ${traceparent}`);
      for (const op of ["receive", "process"]) {
        const s = consumer.find((c) =>
          c.name === `${op} ${topic}` && c.attributes["messaging.kafka.offset"] === m.offset &&
          c.attributes["messaging.destination.partition.id"] === String(m.partition)
        );
        assert.ok(s, `a ${op} span for ${m.partition}/${m.offset}`);
        assert.equal(s.kind, otel.SpanKind.CONSUMER);
        assert.equal(s.spanContext().traceId, produced.spanContext().traceId, "the same trace");
        assert.equal(s.parentSpanContext?.spanId, produced.spanContext().spanId);
        assert.equal(s.attributes["messaging.consumer.group.name"], groupId);
        assert.equal(s.attributes["messaging.operation.type"], op);
        assert.equal(s.attributes["messaging.message.body.size"], m.value!.length);
      }
    }
    assert.equal(read.length, 3);

    const metrics = await telemetry.metrics();
    const where = { "messaging.destination.name": topic };
    assert.equal(total(metrics.get("messaging.client.sent.messages"), where), 3);
    assert.equal(total(metrics.get("messaging.client.consumed.messages"), where), 3);
    assert.equal(
      total(metrics.get("kafkit.client.consumed.bytes"), where),
      read.reduce((n, m) => n + m.value!.length + (m.key?.length ?? 0), 0),
    );
    assert.ok(total(metrics.get("kafkit.client.sent.bytes"), where) > 0);
    const requests = metrics.get("kafkit.client.request.duration")!;
    const apis = new Set(requests.dataPoints.map((p) => p.attributes["kafka.api.name"]));
    for (const api of ["Produce", "Fetch", "Metadata", "ConsumerGroupHeartbeat"]) {
      assert.ok(apis.has(api), `request latency of ${api}: ${[...apis]}`);
    }
    const produce = requests.dataPoints.find((p) => p.attributes["kafka.api.name"] === "Produce")!;
    assert.ok((produce.value as Histogram).count >= 1);
    const durations = metrics.get("messaging.client.operation.duration")!;
    assert.ok(
      durations.dataPoints.some((p) =>
        p.attributes["messaging.operation.name"] === "send" &&
        p.attributes["messaging.destination.name"] === topic
      ),
    );
    assert.ok(total(metrics.get("kafkit.client.metadata.refreshes")) >= 2);
    // readMessage committed each message: every commit a span, and a duration.
    const commits = telemetry.spans().filter((s) => s.name === `commit ${topic}`);
    assert.ok(commits.length >= 1, "the reader's commits are traced");
    for (const c of commits) {
      assert.equal(c.kind, otel.SpanKind.CLIENT);
      assert.equal(c.status.code, otel.SpanStatusCode.UNSET);
      assert.equal(c.attributes["messaging.consumer.group.name"], groupId);
      assert.equal(c.attributes["messaging.operation.type"], "settle");
    }
    assert.ok(
      durations.dataPoints.some((p) =>
        p.attributes["messaging.operation.name"] === "commit" &&
        p.attributes["messaging.consumer.group.name"] === groupId
      ),
    );
  });

  test("a ConsumerGroup generation's commitOffsets is a commit span", async () => {
    const topic = uniqueTopic("group-commit");
    await createTopic(topic, 2);
    const id = `${topic}-g`;
    await using group = new ConsumerGroup({
      id,
      brokers: brokers(),
      topics: [topic],
      telemetry: telemetry.telemetry,
    });
    const gen = await group.next();
    await gen.commitOffsets(new Map([[topic, new Map([[0, 3], [1, 4]])]]));
    const [span, ...more] = telemetry.spans().filter((s) => s.name === `commit ${topic}`);
    assert.deepEqual(more, []);
    assert.equal(span.kind, otel.SpanKind.CLIENT);
    assert.equal(span.attributes["messaging.consumer.group.name"], id);
    assert.equal(span.attributes["messaging.destination.name"], topic);
  });

  test("a failed message's send span and count carry the error", async () => {
    const topic = uniqueTopic("fail");
    await createTopic(topic);
    await using w = new Writer({ brokers: brokers(), topic, telemetry: telemetry.telemetry });
    await assert.rejects(w.writeMessages([{ value: "x", partition: 7 }]), WriteErrors);
    const [span] = telemetry.spans().filter((s) => s.name === `send ${topic}`);
    assert.equal(span.status.code, otel.SpanStatusCode.ERROR);
    assert.match(span.status.message ?? "", /partition 7 is not a partition/);
    assert.equal(span.attributes["error.type"], "RangeError");
    assert.equal(span.events[0]?.name, "exception");
    const sent = (await telemetry.metrics()).get("messaging.client.sent.messages");
    assert.equal(
      total(sent, { "messaging.destination.name": topic, "error.type": "RangeError" }),
      1,
    );
  });

  test("the core's gauges report open connections while a client is open", async () => {
    const cluster = new Cluster({ brokers: brokers(), telemetry: telemetry.telemetry });
    try {
      await cluster.refresh();
      const gauge = (await telemetry.metrics()).get("kafkit.client.connections");
      assert.ok(total(gauge) >= 1, "one connection at least");
    } finally {
      await cluster.close();
    }
  });

  test("over SASL, log entries carry no password", async () => {
    const topic = uniqueTopic("sasl-log");
    await createTopic(topic);
    const password = kafkaEnv("KAFKA_SASL_PASSWORD");
    const entries: string[] = [];
    const log = {
      log: (level: LogLevel, message: string, fields: Record<string, unknown>) =>
        entries.push(`${level} ${message} ${JSON.stringify(fields)}`),
    };
    const sasl = {
      mechanism: "SCRAM-SHA-512" as const,
      username: kafkaEnv("KAFKA_SASL_USER"),
      password,
    };
    const saslBrokers = kafkaEnv("KAFKA_SASL_BROKERS").split(",");
    await using w = new Writer({ brokers: saslBrokers, topic, sasl, log });
    await w.writeMessages([{ value: "x" }]);
    await using r = new Reader({ brokers: saslBrokers, topic, sasl, log, maxWait: 100 });
    assert.equal(dec.decode((await r.readMessage()).value!), "x");
    assert.ok(
      entries.some((e) => e.startsWith("debug kafkit: refreshing metadata")),
      entries.join("\n"),
    );
    for (const e of entries) assert.ok(!e.includes(password), `a secret in ${e}`);
  });
});
