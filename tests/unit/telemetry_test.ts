// The trace context in record headers, with the OpenTelemetry SDK (no broker): kafkit's own
// W3C traceparent when no propagator is registered, the registered one's when there is; and
// the spans of offset commits, against the in-memory broker.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as otel from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { messageContext } from "../../mod.ts";
import { parseTraceparent, Telemetry, traceparentOf } from "../../src/telemetry.ts";
import { commitOffsets } from "../../src/consumer/_offsets.ts";
import type { PartitionOffset } from "../../src/offsets.ts";
import { ErrorCodes, KafkaError } from "../../src/protocol/errors.ts";
import { OffsetCommit } from "../../src/protocol/generated/offset_commit.ts";
import { commitAnswer, FakeKafka, withCluster } from "./_fake_broker.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function sdkTelemetry() {
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const telemetry = new Telemetry({
    api: otel,
    tracer: provider.getTracer("kafkit"),
    meter: otel.createNoopMeter(),
  });
  return { telemetry, spans };
}

const header = (headers: { key: string; value: Uint8Array | null }[], key: string) => {
  const h = headers.find((x) => x.key === key);
  return h?.value ? dec.decode(h.value) : undefined;
};

describe("telemetry: trace context in record headers", () => {
  test("traceparent: W3C's form, read back as a remote span context; malformed ones refused", () => {
    const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const sc = parseTraceparent(tp);
    assert.deepEqual(sc, {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: 1,
      isRemote: true,
    });
    assert.equal(traceparentOf(sc!), tp);
    for (
      const bad of [
        "",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",
      ]
    ) assert.equal(parseTraceparent(bad), undefined, bad);
    // A later version may add fields.
    assert.ok(parseTraceparent("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x"));
  });

  test("without a registered propagator kafkit writes traceparent itself; the consumer side reads it", () => {
    const { telemetry, spans } = sdkTelemetry();
    const headers: { key: string; value: Uint8Array | null }[] = [];
    const span = telemetry.startSend("t", headers);
    assert.equal(header(headers, "traceparent"), traceparentOf(span.spanContext()));
    const ctx = telemetry.contextOf(headers);
    assert.deepEqual(
      otel.trace.getSpanContext(messageContext(otel, { headers })),
      otel.trace.getSpanContext(ctx),
    );
    const { traceId, spanId, traceFlags } = span.spanContext();
    assert.deepEqual(otel.trace.getSpanContext(ctx), {
      traceId,
      spanId,
      traceFlags,
      isRemote: true,
    });
    telemetry.endSend(span, 2, undefined);
    const [done] = spans.getFinishedSpans();
    assert.equal(done.attributes["messaging.destination.partition.id"], "2");
  });

  test("a registered propagator writes the headers (tracestate too), and reads them", () => {
    otel.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    try {
      const { telemetry } = sdkTelemetry();
      const state = otel.createTraceState("vendor=value");
      const parent = otel.trace.setSpanContext(otel.ROOT_CONTEXT, {
        traceId: "0af7651916cd43dd8448eb211c80319c",
        spanId: "b7ad6b7169203331",
        traceFlags: 1,
        traceState: state,
      });
      // No context manager: the parent goes in through the one the headers carry.
      const child = telemetry.contextOf([
        {
          key: "traceparent",
          value: enc.encode(traceparentOf(otel.trace.getSpanContext(parent)!)),
        },
        { key: "tracestate", value: enc.encode("vendor=value") },
      ]);
      const sc = otel.trace.getSpanContext(child)!;
      assert.equal(sc.traceId, "0af7651916cd43dd8448eb211c80319c");
      assert.equal(sc.traceState?.get("vendor"), "value");
      const headers: { key: string; value: Uint8Array | null }[] = [];
      const span = telemetry.startSend("t", headers);
      assert.match(header(headers, "traceparent")!, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      assert.equal(header(headers, "traceparent"), traceparentOf(span.spanContext()));
      span.end();
    } finally {
      otel.propagation.disable();
    }
  });

  test("a message's own traceparent is kept; no-op spans add no header", () => {
    const { telemetry } = sdkTelemetry();
    const theirs = enc.encode("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    const headers = [{ key: "traceparent", value: theirs }];
    telemetry.startSend("t", headers).end();
    assert.deepEqual(headers, [{ key: "traceparent", value: theirs }]);
    // The bare API module without an SDK: its tracer makes no-op spans with all-zero ids.
    const noop = new Telemetry(otel);
    const none: { key: string; value: Uint8Array | null }[] = [];
    noop.startSend("t", none).end();
    assert.deepEqual(none, []);
    assert.throws(() => new Telemetry({} as never), /telemetry must be the @opentelemetry\/api/);
  });
});

describe("telemetry: offset commits", () => {
  /** A commit of `offsets` to a fake coordinator answering `errorCode`, traced by the SDK. */
  async function tracedCommit(offsets: PartitionOffset[], errorCode: number) {
    const spans = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const fake = new FakeKafka([1]);
    fake.coordinators.set("group/g", 1);
    fake.on(OffsetCommit, (req) => commitAnswer(req, errorCode));
    const telemetry = {
      api: otel,
      tracer: provider.getTracer("kafkit"),
      meter: otel.createNoopMeter(),
    };
    let error: unknown;
    await withCluster(fake, async (cluster) => {
      const who = {
        groupId: "g",
        memberId: "m",
        generationIdOrMemberEpoch: 3,
        groupInstanceId: null,
      };
      await commitOffsets(cluster, who, offsets).catch((e) => (error = e));
    }, { telemetry });
    return { spans: spans.getFinishedSpans(), error };
  }

  test("a commit is a client span of the settle operation, named after its one topic", async () => {
    const { spans, error } = await tracedCommit([
      { topic: "t", partition: 0, offset: 5 },
      { topic: "t", partition: 1, offset: 9 },
    ], 0);
    assert.equal(error, undefined);
    assert.equal(spans.length, 1);
    const [s] = spans;
    assert.equal(s.name, "commit t");
    assert.equal(s.kind, otel.SpanKind.CLIENT);
    assert.equal(s.status.code, otel.SpanStatusCode.UNSET);
    assert.deepEqual(s.attributes, {
      "messaging.system": "kafka",
      "messaging.operation.name": "commit",
      "messaging.operation.type": "settle",
      "messaging.consumer.group.name": "g",
      "messaging.destination.name": "t",
    });
  });

  test("a refused commit over two topics: span named commit, failed with the Kafka error", async () => {
    const { spans, error } = await tracedCommit([
      { topic: "a", partition: 0, offset: 1 },
      { topic: "b", partition: 0, offset: 2 },
    ], ErrorCodes.ILLEGAL_GENERATION);
    assert.ok(error instanceof KafkaError, String(error));
    assert.equal(spans.length, 1);
    const [s] = spans;
    assert.equal(s.name, "commit");
    assert.equal(s.attributes["messaging.destination.name"], undefined);
    assert.equal(s.status.code, otel.SpanStatusCode.ERROR);
    assert.equal(s.attributes["error.type"], "ILLEGAL_GENERATION");
    assert.equal(s.events[0]?.name, "exception");
  });
});
