import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ALL_APIS } from "../../../src/protocol/generated/all.ts";
import { ByteReader } from "../../../src/wire/byte_reader.ts";
import { ByteWriter } from "../../../src/wire/byte_writer.ts";
import { ApiVersions, Metadata } from "../../../src/protocol/generated/index.ts";

describe("generated protocol", () => {
  test("covers the client APIs with Kafka 4.3's version ranges", () => {
    const byName = new Map(ALL_APIS.map((a) => [a.name, a]));
    assert.ok(ALL_APIS.length >= 80, `only ${ALL_APIS.length} APIs`);
    assert.deepEqual(
      [byName.get("Produce")!.minVersion, byName.get("Produce")!.maxVersion],
      [3, 13],
    );
    assert.deepEqual([byName.get("Fetch")!.minVersion, byName.get("Fetch")!.maxVersion], [4, 18]);
    assert.equal(byName.get("Metadata")!.flexibleVersion, 9);
    assert.equal(byName.get("JoinGroup")!.target, "group");
    assert.equal(byName.get("EndTxn")!.target, "transaction");
    assert.equal(byName.get("Vote")!.target, "controller");
  });

  test("every API's request round-trips at every version from an empty object", () => {
    let cases = 0;
    for (const api of ALL_APIS) {
      for (let v = api.minVersion; v <= api.maxVersion; v++) {
        const w = new ByteWriter();
        api.writeRequest(w, {}, v);
        const req = api.readRequest(new ByteReader(w.bytes()), v);
        const w2 = new ByteWriter();
        api.writeRequest(w2, req, v);
        assert.deepEqual(w2.bytes(), w.bytes(), `${api.name} request v${v}`);
        cases++;
      }
    }
    assert.ok(cases >= 300, `${cases} cases`);
  });

  test("ApiVersions v3 request bytes match the wire format", () => {
    const w = new ByteWriter();
    ApiVersions.writeRequest(w, { clientSoftwareName: "a", clientSoftwareVersion: "1" }, 3);
    // compact strings (length+1) and an empty tagged-field section
    assert.deepEqual([...w.bytes()], [2, 0x61, 2, 0x31, 0]);
  });

  test("Metadata: null topics encode as -1 (classic) and 0 (compact)", () => {
    const classic = new ByteWriter();
    Metadata.writeRequest(classic, { topics: null, allowAutoTopicCreation: false }, 4);
    assert.deepEqual([...classic.bytes()], [0xff, 0xff, 0xff, 0xff, 0]);
    const compact = new ByteWriter();
    Metadata.writeRequest(compact, { topics: null }, 12);
    assert.deepEqual([...compact.bytes()], [0, 1, 0, 0]);
  });

  test("a response with bad lengths is a DecodeError, not a crash", () => {
    const r = new ByteReader(new Uint8Array([0, 0, 0x7f, 0xff, 0xff, 0xff]));
    ApiVersions.readResponse(r, 0);
    assert.throws(() => r.done("ApiVersions"), { name: "DecodeError" });
  });
});
