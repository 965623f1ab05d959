/**
 * OpenTelemetry traces and metrics, through the application's own `@opentelemetry/api`:
 * kafkit neither depends on nor imports it. The application passes the API object (and
 * optionally its own tracer or meter) as `telemetry`; the types here are the few parts of
 * that API kafkit calls, so the real module fits them. Names and attributes follow
 * OpenTelemetry's messaging semantic conventions; the trace context travels in each
 * record's `traceparent` (and `tracestate`) headers, so a producer's trace continues in the
 * consumer.
 *
 * @example
 * ```ts ignore
 * import * as otel from "@opentelemetry/api";
 * import { Writer } from "@kafkit/kafkit";
 * const w = new Writer({ brokers: "localhost:9092", topic: "t", telemetry: otel });
 * ```
 *
 * @module
 */

/** An OpenTelemetry `Context` (kafkit only hands it on). */
export interface OtelContext {
  /** The value under `key`. */
  getValue(key: symbol): unknown;
  /** A new context with `key` set. */
  setValue(key: symbol, value: unknown): OtelContext;
  /** A new context without `key`. */
  deleteValue(key: symbol): OtelContext;
}

/** Attribute values kafkit sets. */
export type OtelAttributes = Record<string, string | number | boolean>;

/** The identity of a span (`SpanContext`). */
export interface OtelSpanContext {
  /** 32 hex digits. */
  traceId: string;
  /** 16 hex digits. */
  spanId: string;
  /** Bit 0: sampled. */
  traceFlags: number;
  /** Whether it came from another process. */
  isRemote?: boolean;
}

/** The parts of an OpenTelemetry `Span` kafkit uses. */
export interface OtelSpan {
  /** Sets one attribute. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Sets the status (code 2: error). */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Records an exception event. */
  recordException(exception: Error): void;
  /** Ends the span. */
  end(endTime?: number): void;
  /** The span's identity. */
  spanContext(): OtelSpanContext;
}

/** Options of {@linkcode OtelTracer.startSpan}. */
export interface OtelSpanOptions {
  /** 3: PRODUCER, 4: CONSUMER. */
  kind?: number;
  /** Attributes at the start. */
  attributes?: OtelAttributes;
  /** Start time, epoch ms. */
  startTime?: number;
}

/** The parts of an OpenTelemetry `Tracer` kafkit uses. */
export interface OtelTracer {
  /** Starts a span, a child of the span in `context`. */
  startSpan(name: string, options?: OtelSpanOptions, context?: OtelContext): OtelSpan;
}

/** The parts of an OpenTelemetry `Counter`/`UpDownCounter` kafkit uses. */
export interface OtelCounter {
  /** Adds `value`. */
  add(value: number, attributes?: OtelAttributes): void;
}

/** The parts of an OpenTelemetry `Histogram` kafkit uses. */
export interface OtelHistogram {
  /** Records `value`. */
  record(value: number, attributes?: OtelAttributes): void;
}

/** The result handed to an observable gauge's callback. */
export interface OtelObservableResult {
  /** Reports the current value. */
  observe(value: number, attributes?: OtelAttributes): void;
}

/** An OpenTelemetry observable gauge. */
export interface OtelObservableGauge {
  /** Adds a callback run at each collection. */
  addCallback(callback: (result: OtelObservableResult) => void): void;
  /** Removes a callback. */
  removeCallback(callback: (result: OtelObservableResult) => void): void;
}

/** Options of an instrument. */
export interface OtelInstrumentOptions {
  /** What it measures. */
  description?: string;
  /** UCUM unit, such as `s` or `By`. */
  unit?: string;
}

/** The parts of an OpenTelemetry `Meter` kafkit uses. */
export interface OtelMeter {
  /** A monotonic counter. */
  createCounter(name: string, options?: OtelInstrumentOptions): OtelCounter;
  /** A histogram. */
  createHistogram(name: string, options?: OtelInstrumentOptions): OtelHistogram;
  /** A gauge read at collection time. */
  createObservableGauge(name: string, options?: OtelInstrumentOptions): OtelObservableGauge;
}

/** The header map trace context is injected into and extracted from. */
export interface OtelCarrier {
  /** Header name to value. */
  [key: string]: string;
}

/** The parts of the `@opentelemetry/api` module kafkit uses: pass the module itself. */
export interface OpenTelemetryApi {
  /** The trace API. */
  trace: {
    getTracer(name: string, version?: string): OtelTracer;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    getSpanContext(context: OtelContext): OtelSpanContext | undefined;
    setSpanContext(context: OtelContext, spanContext: OtelSpanContext): OtelContext;
  };
  /** The context API. */
  context: { active(): OtelContext };
  /** The propagation API (the globally registered propagator). */
  propagation: {
    inject(context: OtelContext, carrier: OtelCarrier): void;
    extract(context: OtelContext, carrier: OtelCarrier): OtelContext;
  };
  /** The metrics API. */
  metrics: { getMeter(name: string, version?: string): OtelMeter };
}

/**
 * The `telemetry` option: the `@opentelemetry/api` module (the global tracer and meter
 * providers), or it with a tracer and/or meter of the application's choosing.
 */
export type TelemetryOption = OpenTelemetryApi | {
  /** The `@opentelemetry/api` module. */
  api: OpenTelemetryApi;
  /** The tracer to use (default: the API's global `kafkit` tracer). */
  tracer?: OtelTracer;
  /** The meter to use (default: the API's global `kafkit` meter). */
  meter?: OtelMeter;
};

/** A record header, as records carry them. */
export interface OtelRecordHeader {
  /** The header's name. */
  key: string;
  /** Its value. */
  value: Uint8Array | null;
}

const INVALID_TRACE_ID = "00000000000000000000000000000000";
const SPAN_KIND_CLIENT = 2;
const SPAN_KIND_PRODUCER = 3;
const SPAN_KIND_CONSUMER = 4;
const STATUS_ERROR = 2;
const NAME = "kafkit";

/** The instruments kafkit records to, made once per meter. */
export interface Instruments {
  /** `messaging.client.sent.messages` */
  sentMessages: OtelCounter;
  /** `kafkit.client.sent.bytes` */
  sentBytes: OtelCounter;
  /** `messaging.client.consumed.messages` */
  consumedMessages: OtelCounter;
  /** `kafkit.client.consumed.bytes` */
  consumedBytes: OtelCounter;
  /** `messaging.client.operation.duration` */
  operationDuration: OtelHistogram;
  /** `kafkit.client.request.duration` */
  requestDuration: OtelHistogram;
  /** `kafkit.client.metadata.refreshes` */
  metadataRefreshes: OtelCounter;
  /** `kafkit.client.connections` */
  connections: OtelObservableGauge;
  /** `kafkit.client.requests.in_flight` */
  requestsInFlight: OtelObservableGauge;
}

/** Each instrument: its kind, name, unit and description. */
const INSTRUMENTS: Record<
  keyof Instruments,
  ["counter" | "histogram" | "gauge", string, string, string]
> = {
  sentMessages: [
    "counter",
    "messaging.client.sent.messages",
    "{message}",
    "Messages a Writer delivered or failed to deliver",
  ],
  sentBytes: [
    "counter",
    "kafkit.client.sent.bytes",
    "By",
    "Payload bytes (key, value, headers) a Writer delivered",
  ],
  consumedMessages: [
    "counter",
    "messaging.client.consumed.messages",
    "{message}",
    "Messages a Reader returned to the application",
  ],
  consumedBytes: [
    "counter",
    "kafkit.client.consumed.bytes",
    "By",
    "Key and value bytes of the messages a Reader returned",
  ],
  operationDuration: [
    "histogram",
    "messaging.client.operation.duration",
    "s",
    "Duration of a send (a batch's Produce), a receive or an offset commit",
  ],
  requestDuration: [
    "histogram",
    "kafkit.client.request.duration",
    "s",
    "Time from sending a Kafka request to its answer, per API",
  ],
  metadataRefreshes: [
    "counter",
    "kafkit.client.metadata.refreshes",
    "{request}",
    "Metadata requests the client core made",
  ],
  connections: [
    "gauge",
    "kafkit.client.connections",
    "{connection}",
    "Broker connections open or being dialed",
  ],
  requestsInFlight: [
    "gauge",
    "kafkit.client.requests.in_flight",
    "{request}",
    "Requests sent and not yet answered",
  ],
};

const instrumentsByMeter = new WeakMap<OtelMeter, Instruments>();

function instrumentsOf(meter: OtelMeter): Instruments {
  let i = instrumentsByMeter.get(meter);
  if (i) return i;
  const made: Record<string, unknown> = {};
  for (const [key, [kind, name, unit, description]] of Object.entries(INSTRUMENTS)) {
    const options = { unit, description };
    made[key] = kind === "counter"
      ? meter.createCounter(name, options)
      : kind === "histogram"
      ? meter.createHistogram(name, options)
      : meter.createObservableGauge(name, options);
  }
  i = made as unknown as Instruments;
  instrumentsByMeter.set(meter, i);
  return i;
}

/** Where a message is or goes. */
export interface Destination {
  /** The topic. */
  topic: string;
  /** The partition, once known. */
  partition?: number;
  /** The consumer group reading it. */
  groupId?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** kafkit's spans and instruments on one OpenTelemetry API. */
export class Telemetry {
  readonly #api: OpenTelemetryApi;
  readonly #tracer: OtelTracer;
  readonly #instruments: Instruments;
  readonly #attributeCache = new Map<string, OtelAttributes>();
  /** The option it was made from. */
  readonly option: TelemetryOption;

  /** From a `telemetry` option; checks its shape. */
  constructor(option: TelemetryOption) {
    this.option = option;
    const api = "api" in option ? option.api : option;
    if (
      typeof api?.trace?.getTracer !== "function" || typeof api?.metrics?.getMeter !== "function"
    ) {
      throw new TypeError("telemetry must be the @opentelemetry/api module, or { api, ... }");
    }
    this.#api = api;
    const own: { tracer?: OtelTracer; meter?: OtelMeter } = "api" in option ? option : {};
    this.#tracer = own.tracer ?? api.trace.getTracer(NAME);
    this.#instruments = instrumentsOf(own.meter ?? api.metrics.getMeter(NAME));
  }

  /** The instruments (for the client core's observers). */
  get instruments(): Instruments {
    return this.#instruments;
  }

  /**
   * Reports a core's connections and requests in flight at each metrics collection;
   * returns the function that stops it (at close).
   */
  observeLoad(load: () => { connections: number; inFlight: number }): () => void {
    const attrs = { "messaging.system": "kafka" };
    const connections = (r: OtelObservableResult) => r.observe(load().connections, attrs);
    const inFlight = (r: OtelObservableResult) => r.observe(load().inFlight, attrs);
    const { connections: c, requestsInFlight: f } = this.#instruments;
    c.addCallback(connections);
    f.addCallback(inFlight);
    return () => {
      c.removeCallback(connections);
      f.removeCallback(inFlight);
    };
  }

  /**
   * Starts a message's `send` span (a child of the active span) and writes its trace
   * context into `headers`, unless the message carries one already.
   */
  startSend(topic: string, headers: OtelRecordHeader[]): OtelSpan {
    const api = this.#api;
    const active = api.context.active();
    const span = this.#tracer.startSpan(`send ${topic}`, {
      kind: SPAN_KIND_PRODUCER,
      attributes: this.#attributes("send", { topic }),
    }, active);
    const sc = span.spanContext();
    // A no-op span (no SDK) has all-zero ids no consumer could use.
    if (sc.traceId === INVALID_TRACE_ID || headers.some((h) => h.key === "traceparent")) {
      return span;
    }
    const carrier: OtelCarrier = {};
    api.propagation.inject(api.trace.setSpan(active, span), carrier);
    // Without a registered propagator the API injects nothing: W3C's format, written here.
    carrier.traceparent ??= traceparentOf(sc);
    for (const key in carrier) headers.push({ key, value: encoder.encode(carrier[key]) });
    return span;
  }

  /** Ends a `send` span: delivered to `partition`, or failed with `error`. */
  endSend(span: OtelSpan, partition: number | undefined, error: Error | undefined): void {
    if (partition !== undefined) {
      span.setAttribute("messaging.destination.partition.id", String(partition));
    }
    endSpan(span, error);
  }

  /**
   * Counts messages sent (or failed, with `error`) and their bytes, and the send's duration:
   * `ms` of a batch's Produce, undefined for messages that failed before being sent.
   */
  sent(
    where: Destination,
    messages: number,
    bytes: number,
    ms: number | undefined,
    error?: Error,
  ): void {
    let attrs = this.#attributes("send", where);
    if (error) attrs = { ...attrs, "error.type": errorType(error) };
    this.#instruments.sentMessages.add(messages, attrs);
    if (!error) this.#instruments.sentBytes.add(bytes, attrs);
    if (ms !== undefined) this.#instruments.operationDuration.record(ms / 1000, attrs);
  }

  /**
   * Records a message's `receive` span, a child of the producer's span found in its
   * headers (so the trace continues), from `startedAt`, and counts it.
   */
  received(
    where: Destination,
    m: { offset: number; headers: OtelRecordHeader[]; value: Uint8Array | null },
    bytes: number,
    startedAt: number,
  ): void {
    const attrs = this.#attributes("receive", where);
    this.#instruments.consumedMessages.add(1, attrs);
    this.#instruments.consumedBytes.add(bytes, attrs);
    this.#instruments.operationDuration.record((Date.now() - startedAt) / 1000, attrs);
    this.#consumerSpan("receive", where, m, startedAt).end();
  }

  /**
   * Starts the `commit` span of a group's offset commit (a settle operation) over `topics`;
   * end it with {@linkcode Telemetry.endCommit}.
   */
  startCommit(groupId: string, topics: readonly string[]): OtelSpan {
    const attributes = commitAttributes(groupId);
    // One topic is the destination; a commit over several has none.
    if (topics.length === 1) attributes["messaging.destination.name"] = topics[0];
    const name = topics.length === 1 ? `commit ${topics[0]}` : "commit";
    return this.#tracer.startSpan(name, {
      kind: SPAN_KIND_CLIENT,
      attributes,
    }, this.#api.context.active());
  }

  /** Ends a `commit` span (failed with `error`, if given) and records its duration. */
  endCommit(span: OtelSpan, groupId: string, startedAt: number, error?: unknown): void {
    const attrs = commitAttributes(groupId);
    if (error !== undefined) {
      attrs["error.type"] = errorType(error instanceof Error ? error : new Error(String(error)));
    }
    this.#instruments.operationDuration.record((Date.now() - startedAt) / 1000, attrs);
    endSpan(span, error);
  }

  /** Starts a message's `process` span (the application's work on it). */
  startProcess(
    where: Destination,
    m: { offset: number; headers: OtelRecordHeader[]; value: Uint8Array | null },
  ): OtelSpan {
    return this.#consumerSpan("process", where, m, Date.now());
  }

  #consumerSpan(
    op: "receive" | "process",
    where: Destination,
    m: { offset: number; headers: OtelRecordHeader[]; value: Uint8Array | null },
    startTime: number,
  ): OtelSpan {
    return this.#tracer.startSpan(`${op} ${where.topic}`, {
      kind: SPAN_KIND_CONSUMER,
      startTime,
      attributes: {
        ...this.#attributes(op, where),
        "messaging.kafka.offset": m.offset,
        "messaging.message.body.size": m.value?.length ?? 0,
      },
    }, this.contextOf(m.headers));
  }

  /** The messaging attributes of an operation on a destination, made once (never changed). */
  #attributes(op: "send" | "receive" | "process", where: Destination): OtelAttributes {
    const key = `${op}\u0000${where.topic}\u0000${where.partition}\u0000${where.groupId}`;
    let a = this.#attributeCache.get(key);
    if (!a) {
      a = { ...attributes(where), ...operation(op) };
      this.#attributeCache.set(key, a);
    }
    return a;
  }

  /** The trace context a message's headers carry: see {@linkcode messageContext}. */
  contextOf(headers: readonly OtelRecordHeader[]): OtelContext {
    return messageContext(this.#api, { headers });
  }
}

/**
 * The trace context a message's headers carry (its producer's `send` span), on top of the
 * active context: start the spans of the application's work on the message in it, so they
 * join the producer's trace.
 *
 * @example
 * ```ts ignore
 * import * as otel from "@opentelemetry/api";
 * import { messageContext } from "@kafkit/kafkit";
 * const ctx = messageContext(otel, message);
 * otel.context.with(ctx, () => handle(message));
 * ```
 */
export function messageContext(
  api: OpenTelemetryApi,
  message: { readonly headers: readonly OtelRecordHeader[] },
): OtelContext {
  const carrier: OtelCarrier = {};
  for (const h of message.headers) {
    if (
      h.value !== null &&
      (h.key === "traceparent" || h.key === "tracestate" || h.key === "baggage")
    ) {
      carrier[h.key] = decoder.decode(h.value);
    }
  }
  const active = api.context.active();
  const ctx = api.propagation.extract(active, carrier);
  if (api.trace.getSpanContext(ctx) !== api.trace.getSpanContext(active)) return ctx;
  // No propagator registered: kafkit's own W3C reading.
  const parsed = carrier.traceparent ? parseTraceparent(carrier.traceparent) : undefined;
  return parsed ? api.trace.setSpanContext(ctx, parsed) : ctx;
}

/**
 * A client's telemetry: its own `telemetry` option when it shares a core that has none
 * (or another), else its core's.
 */
export function telemetryOf(
  option: TelemetryOption | undefined,
  core: { readonly telemetry: Telemetry | undefined },
): Telemetry | undefined {
  return option === undefined || core.telemetry?.option === option
    ? core.telemetry
    : new Telemetry(option);
}

/** Ends a span, marked failed with `error` if given. */
export function endSpan(span: OtelSpan, error?: unknown): void {
  if (error !== undefined) {
    const e = error instanceof Error ? error : new Error(String(error));
    span.recordException(e);
    span.setStatus({ code: STATUS_ERROR, message: e.message });
    span.setAttribute("error.type", errorType(e));
  }
  span.end();
}

/** The messaging attributes of a destination. */
function attributes(where: Destination): OtelAttributes {
  const a: OtelAttributes = {
    "messaging.system": "kafka",
    "messaging.destination.name": where.topic,
  };
  if (where.partition !== undefined) {
    a["messaging.destination.partition.id"] = String(where.partition);
  }
  if (where.groupId !== undefined) a["messaging.consumer.group.name"] = where.groupId;
  return a;
}

/** The attributes of a group's offset commit. */
function commitAttributes(groupId: string): OtelAttributes {
  return {
    "messaging.system": "kafka",
    "messaging.operation.name": "commit",
    "messaging.operation.type": "settle",
    "messaging.consumer.group.name": groupId,
  };
}

function operation(op: "send" | "receive" | "process"): OtelAttributes {
  return { "messaging.operation.name": op, "messaging.operation.type": op };
}

/** `error.type`: the Kafka error's name, else the error class. */
export function errorType(e: Error): string {
  const name = (e as { errorName?: unknown }).errorName;
  return typeof name === "string" ? name : e.name;
}

/** W3C `traceparent`: version 00, trace id, span id, flags. */
export function traceparentOf(sc: OtelSpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** A remote span context from a W3C `traceparent`, or undefined when it is not one. */
export function parseTraceparent(value: string): OtelSpanContext | undefined {
  const m = TRACEPARENT.exec(value.trim());
  if (!m || m[1] === "ff" || (m[1] === "00" && m[5] !== undefined)) return undefined;
  if (/^0+$/.test(m[2]) || /^0+$/.test(m[3])) return undefined;
  return { traceId: m[2], spanId: m[3], traceFlags: parseInt(m[4], 16), isRemote: true };
}
