// A tiny in-memory stand-in for brokers, for unit tests of routing only: each host is a
// broker whose answers a test scripts per API. Passed to the core as its `connect` option;
// integration tests always talk to the real Kafka.

import type { Api } from "../../../src/protocol/api.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../../src/protocol/api.ts";
import { ALL_APIS } from "../../../src/protocol/generated/all.ts";
import {
  ApiVersions,
  defaultApiVersionsResponse,
} from "../../../src/protocol/generated/api_versions.ts";
import { readRequestHeader } from "../../../src/protocol/generated/request_header.ts";
import { writeResponseHeader } from "../../../src/protocol/generated/response_header.ts";
import type { Connect, Socket } from "../../../src/transport/socket.ts";
import { ByteReader } from "../../../src/wire/byte_reader.ts";
import { ByteWriter } from "../../../src/wire/byte_writer.ts";

/** One request a fake broker received. */
export interface Received {
  host: string;
  api: string;
  version: number;
  body: unknown;
}

// deno-lint-ignore no-explicit-any
type Handler = (body: any, version: number, host: string) => unknown;

/**
 * Fake brokers by host; `handle` scripts an API's answer, which may be a promise (an answer
 * held back). ApiVersions is built in.
 */
export class FakeBrokers {
  readonly received: Received[] = [];
  readonly connects: string[] = [];
  readonly #handlers = new Map<number, Handler>();

  // deno-lint-ignore no-explicit-any
  handle<Req, Res>(api: Api<Req, Res>, handler: (body: Req, version: number, host: string) => any) {
    this.#handlers.set(api.key, handler as Handler);
  }

  /** The handler scripted for `api` (to wrap it). */
  handlers<Req, Res>(api: Api<Req, Res>): (body: Req, version: number, host: string) => unknown {
    return this.#handlers.get(api.key)!;
  }

  /** The `connect` option for the core. */
  readonly connect: Connect = ({ host }) => {
    this.connects.push(host);
    return Promise.resolve(new FakeSocket((frame) => this.#answer(host, frame)));
  };

  async #answer(host: string, frame: Uint8Array): Promise<Uint8Array> {
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const api = ALL_APIS.find((a) => a.key === view.getInt16(0))!;
    const version = view.getInt16(2);
    const r = new ByteReader(frame);
    const header = readRequestHeader(r, requestHeaderVersion(api, version));
    const body = api.readRequest(r, version);
    this.received.push({ host, api: api.name, version, body });
    const res = api.key === ApiVersions.key
      ? {
        ...defaultApiVersionsResponse(),
        apiKeys: ALL_APIS.map((a) => ({
          apiKey: a.key,
          minVersion: a.minVersion,
          maxVersion: a.latestVersionUnstable ? a.maxVersion - 1 : a.maxVersion,
        })),
      }
      : await this.#handlers.get(api.key)?.(body, version, host);
    if (res === undefined) throw new Error(`fake broker ${host}: no answer for ${api.name}`);
    const w = new ByteWriter();
    w.int32(0);
    writeResponseHeader(
      w,
      { correlationId: header.correlationId! },
      responseHeaderVersion(api, version),
    );
    api.writeResponse(w, res, version);
    w.patchInt32(0, w.length - 4);
    return w.bytes().slice();
  }
}

/** Frames in, answers out, all in memory. */
class FakeSocket implements Socket {
  readonly #answer: (frame: Uint8Array) => Promise<Uint8Array>;
  /** Answers leave in request order, as a broker sends them. */
  #answered: Promise<void> = Promise.resolve();
  readonly #out: Uint8Array[] = [];
  #reader: ((chunk: Uint8Array | null) => void) | undefined;
  #pending = new Uint8Array(0);
  #closed = false;

  constructor(answer: (frame: Uint8Array) => Promise<Uint8Array>) {
    this.#answer = answer;
  }

  write(data: Uint8Array): Promise<void> {
    const all = new Uint8Array(this.#pending.length + data.length);
    all.set(this.#pending);
    all.set(data, this.#pending.length);
    let at = 0;
    while (all.length - at >= 4) {
      const size = new DataView(all.buffer, at).getInt32(0);
      if (all.length - at - 4 < size) break;
      const answer = this.#answer(all.slice(at + 4, at + 4 + size));
      this.#answered = this.#answered.then(() => answer).then((a) => this.#push(a));
      at += 4 + size;
    }
    this.#pending = all.slice(at);
    return Promise.resolve();
  }

  #push(chunk: Uint8Array): void {
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader) reader(chunk);
    else this.#out.push(chunk);
  }

  read(): Promise<Uint8Array | null> {
    const next = this.#out.shift();
    if (next) return Promise.resolve(next);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => this.#reader = resolve);
  }

  close(): void {
    this.#closed = true;
    this.#push(null as unknown as Uint8Array);
  }
}
