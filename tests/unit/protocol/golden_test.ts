// Frames captured between the Java client's tools and a real Kafka 4.3.1 broker
// (scripts/capture_golden.ts): kafkit decodes every request and response and encodes them
// back to the very same bytes.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ALL_APIS } from "../../../src/protocol/generated/all.ts";
import {
  ApiVersions,
  type ApiVersionsResponse,
  Metadata,
  type MetadataResponse,
} from "../../../src/protocol/generated/index.ts";
import {
  readRequestHeader,
  writeRequestHeader,
} from "../../../src/protocol/generated/request_header.ts";
import {
  readResponseHeader,
  writeResponseHeader,
} from "../../../src/protocol/generated/response_header.ts";
import { requestHeaderVersion, responseHeaderVersion } from "../../../src/protocol/api.ts";
import { ByteReader } from "../../../src/wire/byte_reader.ts";
import { ByteWriter } from "../../../src/wire/byte_writer.ts";
import type { Exchange } from "../../golden/exchange.ts";

const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
const file = fileURLToPath(new URL("../../golden/java_client_frames.json", import.meta.url));
const exchanges: Exchange[] = JSON.parse(readFileSync(file, "utf8"));

describe("golden frames from the Java client and a real broker", () => {
  test("the capture holds the handshake and metadata of two tools", () => {
    const seen = exchanges.map((e) => `${e.apiKey}v${e.apiVersion}`);
    assert.ok(seen.includes("18v4") && seen.includes("3v13"), seen.join(", "));
  });

  for (const e of exchanges) {
    const api = ALL_APIS.find((a) => a.key === e.apiKey)!;
    const v = e.apiVersion;

    test(`${e.tool.split(".").pop()} ${api.name} v${v}: request decodes and re-encodes identically`, () => {
      const bytes = fromHex(e.request);
      const r = new ByteReader(bytes);
      const header = readRequestHeader(r, requestHeaderVersion(api, v));
      const body = api.readRequest(r, v);
      r.done(`${api.name} request`);
      assert.equal(header.requestApiKey, api.key);
      const w = new ByteWriter();
      writeRequestHeader(w, header, requestHeaderVersion(api, v));
      api.writeRequest(w, body, v);
      assert.deepEqual(w.bytes(), bytes);
    });

    test(`${e.tool.split(".").pop()} ${api.name} v${v}: broker response decodes and re-encodes identically`, () => {
      const bytes = fromHex(e.response);
      const r = new ByteReader(bytes);
      const header = readResponseHeader(r, responseHeaderVersion(api, v));
      const body = api.readResponse(r, v);
      r.done(`${api.name} response`);
      const w = new ByteWriter();
      writeResponseHeader(w, header, responseHeaderVersion(api, v));
      api.writeResponse(w, body, v);
      assert.deepEqual(w.bytes(), bytes);
      if (api.key === ApiVersions.key) {
        const res = body as ApiVersionsResponse;
        assert.equal(res.errorCode, 0);
        const produce = res.apiKeys.find((k) => k.apiKey === 0)!;
        assert.deepEqual([produce.minVersion, produce.maxVersion], [0, 13]); // v0 advertised (KAFKA-18659)
        assert.ok(res.finalizedFeatures.some((f) => f.name === "metadata.version"));
      }
      if (api.key === Metadata.key) {
        const res = body as MetadataResponse;
        assert.equal(res.brokers.length, 1);
        assert.ok(res.clusterId);
      }
    });
  }
});
