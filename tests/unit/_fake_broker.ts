/**
 * An in-memory Kafka cluster for unit tests of the client core. It is passed to the client
 * as its `connect` option: every socket the client opens is a pair of in-memory queues. The
 * fake frames each request, decodes its header and body with the generated codecs, calls the
 * handler registered for the API and encodes the answer, so the client's real connection,
 * negotiation and routing code runs unchanged.
 *
 * A request reaches its handler (and `seen`) as soon as it arrives; like a broker, a
 * connection sends its answers in request order, so a handler that never settles (see
 * {@linkcode never}) holds up every later answer on the same connection, but not those on
 * other connections. Nodes can be `dead` (refuse connections) or `silent` (never answer).
 *
 * Built-in handlers answer ApiVersions (every version the generated codecs know, or the
 * range set with `maxVersion`), Metadata (from `topics` and `controllerId`) and
 * FindCoordinator (from `coordinators`); `on()` adds or replaces handlers. Produce and
 * InitProducerId with a broker's log and sequence checks are layered on in `_fake_produce.ts`.
 *
 * @module
 */

import { Cluster, type ClusterOptions } from "../../src/cluster/cluster.ts";
import { type Api, requestHeaderVersion, responseHeaderVersion } from "../../src/protocol/api.ts";
import { ALL_APIS } from "../../src/protocol/generated/all.ts";
import {
  ApiVersions,
  type ApiVersionsResponse,
  defaultApiVersionsResponse,
} from "../../src/protocol/generated/api_versions.ts";
import {
  defaultCoordinator,
  defaultFindCoordinatorResponse,
  FindCoordinator,
  type FindCoordinatorResponse,
} from "../../src/protocol/generated/find_coordinator.ts";
import {
  defaultMetadataResponse,
  defaultMetadataResponseBroker,
  defaultMetadataResponsePartition,
  defaultMetadataResponseTopic,
  Metadata,
  type MetadataResponse,
} from "../../src/protocol/generated/metadata.ts";
import {
  defaultOffsetCommitResponse,
  defaultOffsetCommitResponsePartition,
  defaultOffsetCommitResponseTopic,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
} from "../../src/protocol/generated/offset_commit.ts";
import {
  defaultListOffsetsPartitionResponse,
  defaultListOffsetsResponse,
  ListOffsets,
} from "../../src/protocol/generated/list_offsets.ts";
import { readRequestHeader } from "../../src/protocol/generated/request_header.ts";
import { writeResponseHeader } from "../../src/protocol/generated/response_header.ts";
import type { Connect, Socket, SocketOptions } from "../../src/transport/socket.ts";
import { ByteReader } from "../../src/wire/byte_reader.ts";
import { ByteWriter } from "../../src/wire/byte_writer.ts";

/** What a handler learns about the request besides its body. */
export interface RequestContext {
  /** The node that received it. */
  node: FakeNode;
  /** The request version the client chose. */
  version: number;
  /** Which connection to that node carried it (0 for the first one dialed). */
  connection: number;
  /** That connection (a handler may close it to drop the answer). */
  socket: FakeSocket;
}

/** A response body given as bytes, sent as they are (to feed the client bad answers). */
export class RawBody {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
}

/**
 * Answers one API's requests. A promise that never settles leaves the request unanswered;
 * a {@linkcode RawBody} is sent instead of an encoded response.
 */
export type Handler<Req, Res> = (
  req: Req,
  ctx: RequestContext,
) => Res | RawBody | Promise<Res | RawBody>;

/** One request the fake received. */
export interface SeenRequest {
  nodeId: number;
  connection: number;
  api: string;
  version: number;
  body: unknown;
}

/** A promise that never settles: a handler returns it to leave a request unanswered. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

/** A broker of the fake cluster. */
export class FakeNode {
  readonly id: number;
  readonly host: string;
  readonly port = 9092;
  /** `up` answers, `dead` refuses connections, `silent` accepts them and never answers. */
  state: "up" | "dead" | "silent" = "up";
  /** The sockets opened to this node, in dial order. */
  readonly sockets: FakeSocket[] = [];
  /** Caps what ApiVersions advertises, per API key. */
  readonly maxVersion = new Map<number, number>();

  constructor(id: number) {
    this.id = id;
    this.host = `broker${id}`;
  }

  /** `host:port`, as a bootstrap list names it. */
  get address(): string {
    return `${this.host}:${this.port}`;
  }
}

/** The partitions of a fake topic: the leader of each, by partition index. */
export interface FakeTopic {
  id: string;
  leaders: number[];
}

/** A cluster of fake brokers sharing one metadata view. */
export class FakeKafka {
  readonly nodes: Map<number, FakeNode> = new Map();
  /** Topics by name, answered by the built-in Metadata handler. */
  readonly topics: Map<string, FakeTopic> = new Map();
  /** Coordinators by `type/key` (`group/g1`), answered by the built-in FindCoordinator. */
  readonly coordinators: Map<string, number> = new Map();
  controllerId: number;
  /** Every request received, ApiVersions included, in arrival order. */
  readonly seen: SeenRequest[] = [];
  // deno-lint-ignore no-explicit-any
  readonly #handlers = new Map<number, Handler<any, any>>();

  /** A cluster of brokers with these ids; the first is the controller. */
  constructor(nodeIds: readonly number[]) {
    for (const id of nodeIds) this.nodes.set(id, new FakeNode(id));
    this.controllerId = nodeIds[0];
    this.on(ApiVersions, (_req, ctx) => this.#apiVersions(ctx.node));
    this.on(Metadata, (req) => this.#metadata(req.topics));
    this.on(FindCoordinator, (req) => this.#findCoordinator(req.keyType ?? 0, req));
  }

  /** The node with id `id`. */
  node(id: number): FakeNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no fake node ${id}`);
    return n;
  }

  /** Adds a topic of `partitions` partitions, led by the nodes in turn. */
  createTopic(name: string, partitions: number): void {
    const ids = [...this.nodes.keys()];
    // A topic id derived from the name: 16 bytes in URL-safe base64 without padding.
    const id = btoa(name.padEnd(16, "_").slice(0, 16)).replace(/=+$/, "").replace(/\+/g, "-")
      .replace(/\//g, "_");
    this.topics.set(name, {
      id,
      leaders: Array.from({ length: partitions }, (_, i) => ids[i % ids.length]),
    });
  }

  /** The bootstrap list naming every node. */
  get brokers(): string[] {
    return [...this.nodes.values()].map((n) => n.address);
  }

  /** Answers `api`'s requests with `handler` (replacing any earlier one). */
  on<Req, Res>(api: Api<Req, Res>, handler: Handler<Req, Res>): this {
    this.#handlers.set(api.key, handler);
    return this;
  }

  /** The handler answering `api` now (to wrap it). */
  handler<Req, Res>(api: Api<Req, Res>): Handler<Req, Res> {
    return this.#handlers.get(api.key)!;
  }

  /** The requests of API `api` (by name), optionally only those a node received. */
  requests(api: string, nodeId?: number): SeenRequest[] {
    return this.seen.filter((s) => s.api === api && (nodeId === undefined || s.nodeId === nodeId));
  }

  /** The `connect` option to give the client. */
  readonly connect: Connect = (options: SocketOptions): Promise<Socket> => {
    const node = [...this.nodes.values()].find((n) =>
      n.host === options.host && n.port === options.port
    );
    if (!node || node.state === "dead") {
      return Promise.reject(new Error(`connect ECONNREFUSED ${options.host}:${options.port}`));
    }
    const index = node.sockets.length;
    const socket: FakeSocket = new FakeSocket((frame) => this.#serve(node, index, socket, frame));
    node.sockets.push(socket);
    return Promise.resolve(socket);
  };

  /** Decodes one request frame (without its size) and returns the response frame, if any. */
  async #serve(
    node: FakeNode,
    connection: number,
    socket: FakeSocket,
    frame: Uint8Array,
  ): Promise<Uint8Array | null> {
    if (node.state !== "up") return await never();
    const peek = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const api = ALL_APIS.find((a) => a.key === peek.getInt16(0));
    if (!api) throw new Error(`fake broker: unknown API key ${peek.getInt16(0)}`);
    const r = new ByteReader(frame);
    const header = readRequestHeader(r, requestHeaderVersion(api, peek.getInt16(2)));
    const version = header.requestApiVersion!;
    const body = api.readRequest(r, version);
    r.done(`fake broker: ${api.name} v${version} request`);
    this.seen.push({ nodeId: node.id, connection, api: api.name, version, body });
    const handler = this.#handlers.get(api.key);
    if (!handler) throw new Error(`fake broker: no handler for ${api.name}`);
    const res = await handler(body, { node, version, connection, socket });
    if (node.state !== "up") return await never();
    const w = new ByteWriter(128);
    const sizeAt = w.reserve(4);
    writeResponseHeader(
      w,
      { correlationId: header.correlationId },
      responseHeaderVersion(api, version),
    );
    if (res instanceof RawBody) w.raw(res.bytes);
    else api.writeResponse(w, res, version);
    w.patchInt32(sizeAt, w.length - 4);
    return w.bytes();
  }

  #apiVersions(node: FakeNode): ApiVersionsResponse {
    return {
      ...defaultApiVersionsResponse(),
      apiKeys: ALL_APIS.map((a) => ({
        apiKey: a.key,
        minVersion: a.minVersion,
        maxVersion: Math.min(a.maxVersion, node.maxVersion.get(a.key) ?? a.maxVersion),
      })),
    };
  }

  /** The requested topics (all of them for `null`); one not in `topics` is unknown. */
  #metadata(wanted: { name?: string | null }[] | null | undefined): MetadataResponse {
    const names = wanted == null ? [...this.topics.keys()] : wanted.map((t) => t.name ?? "");
    return {
      ...defaultMetadataResponse(),
      clusterId: "fake",
      controllerId: this.controllerId,
      brokers: [...this.nodes.values()].map((n) => ({
        ...defaultMetadataResponseBroker(),
        nodeId: n.id,
        host: n.host,
        port: n.port,
      })),
      topics: names.map((name) => {
        const t = this.topics.get(name);
        if (!t) return { ...defaultMetadataResponseTopic(), name, errorCode: 3 }; // UNKNOWN_TOPIC_OR_PARTITION
        return {
          ...defaultMetadataResponseTopic(),
          name,
          topicId: t.id,
          partitions: t.leaders.map((leader, i) => ({
            ...defaultMetadataResponsePartition(),
            partitionIndex: i,
            leaderId: leader,
            leaderEpoch: 0,
            replicaNodes: [leader],
            isrNodes: [leader],
          })),
        };
      }),
    };
  }

  #findCoordinator(
    keyType: number,
    req: { key?: string; coordinatorKeys?: string[] },
  ): FindCoordinatorResponse {
    const type = ["group", "transaction", "share"][keyType];
    const keys = req.coordinatorKeys?.length ? req.coordinatorKeys : [req.key ?? ""];
    const coordinators = keys.map((key) => {
      const node = this.nodes.get(this.coordinators.get(`${type}/${key}`) ?? NaN);
      return node
        ? { ...defaultCoordinator(), key, nodeId: node.id, host: node.host, port: node.port }
        : { ...defaultCoordinator(), key, nodeId: -1, errorCode: 15 }; // COORDINATOR_NOT_AVAILABLE
    });
    // Versions before 4 answer one key at the top level; the codec writes what the version has.
    return { ...defaultFindCoordinatorResponse(), ...coordinators[0], coordinators };
  }
}

/**
 * One in-memory connection: the client's writes are split into frames, each served as it
 * arrives; the answers queue up in request order for the client's reads.
 */
export class FakeSocket implements Socket {
  readonly #serve: (frame: Uint8Array) => Promise<Uint8Array | null>;
  #input = new Uint8Array(0);
  readonly #output: Uint8Array[] = [];
  #reader: ((chunk: Uint8Array | null) => void) | undefined;
  #queue: Promise<void> = Promise.resolve();
  /** Whether either side closed it. */
  closed = false;

  constructor(serve: (frame: Uint8Array) => Promise<Uint8Array | null>) {
    this.#serve = serve;
  }

  write(data: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error("fake socket closed"));
    const input = new Uint8Array(this.#input.length + data.length);
    input.set(this.#input);
    input.set(data, this.#input.length);
    let at = 0;
    // A handler may close the connection: the frames after that are not read.
    while (!this.closed && input.length - at >= 4) {
      const size = new DataView(input.buffer, at).getInt32(0);
      if (input.length - at - 4 < size) break;
      const answer = this.#serve(input.slice(at + 4, at + 4 + size));
      at += 4 + size;
      // Answers leave in request order, as a broker sends them.
      this.#queue = this.#queue.then(() => answer).then((a) => {
        if (a) this.#push(a);
      }, (e) => {
        console.error(e);
        this.close();
      });
    }
    this.#input = input.slice(at);
    return Promise.resolve();
  }

  read(): Promise<Uint8Array | null> {
    const next = this.#output.shift();
    if (next) return Promise.resolve(next);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#reader = resolve);
  }

  close(): void {
    this.closed = true;
    this.#take(null);
  }

  #push(chunk: Uint8Array): void {
    if (this.closed) return;
    if (this.#reader) this.#take(chunk);
    else this.#output.push(chunk);
  }

  #take(chunk: Uint8Array | null): void {
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.(chunk);
  }
}

/** Makes `fake` answer every ListOffsets query with `offset` (a log that starts there). */
export function answerListOffsets(fake: FakeKafka, offset = 0n): void {
  fake.on(ListOffsets, (req) => ({
    ...defaultListOffsetsResponse(),
    topics: (req.topics ?? []).map((t) => ({
      name: t.name ?? "",
      partitions: (t.partitions ?? []).map((p) => ({
        ...defaultListOffsetsPartitionResponse(),
        partitionIndex: p.partitionIndex ?? 0,
        offset,
      })),
    })),
  }));
}

/** An OffsetCommit answer with `errorCode` for every partition of `req`. */
export function commitAnswer(req: OffsetCommitRequest, errorCode: number): OffsetCommitResponse {
  return {
    ...defaultOffsetCommitResponse(),
    topics: (req.topics ?? []).map((t) => ({
      ...defaultOffsetCommitResponseTopic(),
      name: t.name ?? "",
      partitions: (t.partitions ?? []).map((p) => ({
        ...defaultOffsetCommitResponsePartition(),
        partitionIndex: p.partitionIndex ?? 0,
        errorCode,
      })),
    })),
  };
}

/** Runs `fn` with a client core on `fake`, closing the core afterwards. */
export async function withCluster(
  fake: FakeKafka,
  fn: (cluster: Cluster) => Promise<void>,
  options: Partial<ClusterOptions> = {},
): Promise<void> {
  const cluster = new Cluster({ brokers: fake.brokers, connect: fake.connect, ...options });
  try {
    await fn(cluster);
  } finally {
    await cluster.close();
  }
}
