/**
 * What OpenTelemetry costs the Writer and Reader, against the broker of KAFKA_BROKERS:
 *
 *   deno run -A scripts/bench/telemetry.ts
 *   bun scripts/bench/telemetry.ts
 *   node scripts/bench/telemetry.ts        (Node 24)
 *
 * Writes then reads BENCH_MESSAGES (default 50,000) messages of 100 B, three ways: without
 * `telemetry`, with the bare `@opentelemetry/api` (no SDK: no-op spans and instruments), and
 * with the SDK's tracer and meter (spans batched to an exporter that drops them, metrics
 * aggregated).
 * Prints messages per second for each.
 *
 * @module
 */

import process from "node:process";
import * as otel from "@opentelemetry/api";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { dial, Reader, type TelemetryOption, Writer } from "../../mod.ts";
import { RUNTIME } from "./_runtime.ts";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50_000);
const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

async function run(label: string, telemetry: TelemetryOption | undefined): Promise<string> {
  const topic = `kafkit-bench-telemetry-${RUNTIME.replace(/\W/g, "")}-${label}-${Date.now()}`;
  {
    await using conn = await dial(brokers[0]);
    await conn.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]);
  }
  const value = new Uint8Array(100).fill(7);
  const messages = Array.from({ length: 1000 }, () => ({ value }));
  const w = new Writer({ brokers, topic, batchSize: 1000, telemetry });
  let started = performance.now();
  for (let sent = 0; sent < MESSAGES; sent += messages.length) await w.writeMessages(messages);
  const write = MESSAGES / ((performance.now() - started) / 1000);
  await w.close();
  const r = new Reader({ brokers, topic, partition: 0, maxWait: 100, telemetry });
  started = performance.now();
  for (let i = 0; i < MESSAGES; i++) await r.fetchMessage();
  const read = MESSAGES / ((performance.now() - started) / 1000);
  await r.close();
  const k = (n: number) => `${Math.round(n / 1000)}k msg/s`;
  return `${RUNTIME} ${label.padEnd(10)} write ${k(write).padStart(12)}  read ${
    k(read).padStart(12)
  }`;
}

if (import.meta.main) {
  // Spans are exported and dropped: what the SDK costs, not what keeping them all would.
  const spans: SpanExporter = {
    export: (_spans, done) => done({ code: 0 }),
    shutdown: () => Promise.resolve(),
  };
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(spans, { maxQueueSize: 10_000 })],
  });
  const meterProvider = new MeterProvider();
  const sdk = {
    api: otel,
    tracer: tracerProvider.getTracer("kafkit"),
    meter: meterProvider.getMeter("kafkit"),
  };
  // Once first to warm the JIT up, so that "off" is not measured cold.
  await run("warm-up", undefined);
  console.log(await run("off", undefined));
  console.log(await run("api-noop", otel));
  console.log(
    await run("metrics", { api: otel, tracer: otel.trace.getTracer("noop"), meter: sdk.meter }),
  );
  console.log(
    await run("traces", { api: otel, tracer: sdk.tracer, meter: otel.createNoopMeter() }),
  );
  console.log(await run("sdk", sdk));
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
}
