/**
 * The descriptor every generated API module exports: its key, version range, where its
 * requests go, and the codecs for each direction.
 *
 * @module
 */

import type { ByteReader } from "../wire/byte_reader.ts";
import type { ByteWriter } from "../wire/byte_writer.ts";

/**
 * Which broker must receive a request: any broker, the controller, the group's
 * coordinator, the transaction coordinator, or each partition's leader.
 */
export type ApiTarget = "any" | "controller" | "group" | "transaction" | "leader";

/**
 * One Kafka API: a request type, its response type, and what is needed to send it.
 *
 * @example
 * ```ts
 * import { ApiVersions } from "@kafkit/kafkit/protocol";
 * console.log(ApiVersions.key, ApiVersions.minVersion, ApiVersions.maxVersion);
 * ```
 */
export interface Api<Req, Res> {
  /** The int16 API key. */
  readonly key: number;
  /** The API's name, e.g. `"Metadata"`. */
  readonly name: string;
  /** The lowest version this Kafka release accepts. */
  readonly minVersion: number;
  /** The highest version this Kafka release defines. */
  readonly maxVersion: number;
  /** Whether `maxVersion` is still in development (brokers hide it by default). */
  readonly latestVersionUnstable: boolean;
  /** The first request version with flexible encoding, or -1 if none. */
  readonly flexibleVersion: number;
  /** The first response version with flexible encoding, or -1 if none. */
  readonly responseFlexibleVersion: number;
  /** Which broker must receive the request. */
  readonly target: ApiTarget;
  /** Listener types that accept the request (`broker`, `controller`). */
  readonly listeners: readonly string[];
  /** Encodes a request body at a version. */
  readonly writeRequest: (w: ByteWriter, v: Req, version: number) => void;
  /** Decodes a request body at a version. */
  readonly readRequest: (r: ByteReader, version: number) => Req;
  /** Encodes a response body at a version. */
  readonly writeResponse: (w: ByteWriter, v: Res, version: number) => void;
  /** Decodes a response body at a version. */
  readonly readResponse: (r: ByteReader, version: number) => Res;
}

/** The request header version for an API at a request version (v2 once flexible). */
export function requestHeaderVersion(api: { flexibleVersion: number }, version: number): number {
  return api.flexibleVersion >= 0 && version >= api.flexibleVersion ? 2 : 1;
}

/**
 * The response header version for an API at a version (v1 once flexible). ApiVersions
 * always answers with header v0 so that any client can read it.
 */
export function responseHeaderVersion(
  api: { key: number; responseFlexibleVersion: number },
  version: number,
): number {
  if (api.key === 18) return 0;
  return api.responseFlexibleVersion >= 0 && version >= api.responseFlexibleVersion ? 1 : 0;
}
