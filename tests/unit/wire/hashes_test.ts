import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { crc32, fnv1a32, murmur2 } from "../../../src/wire/hashes.ts";

// Reference values computed by the Java client (Utils.murmur2, java.util.zip.CRC32) and Go's
// hash/fnv New32a over the UTF-8 bytes of each key.
const VECTORS: [string, number, number, number][] = [
  ["", 275646681, 0, 2166136261],
  ["a", -1563381124, 3904355907, 3826002220],
  ["21", -973932308, 4252452532, 2364708844],
  ["foobar", -790332482, 2666930069, 3214735720],
  ["kafkit", -1581087225, 3460032786, 1835730951],
  ["a-much-longer-key-with-unicode-ü-and-more-bytes-0123456789", 103912217, 1685696421, 1046954113],
  ["\u00ff\u00fe", -1869419400, 1202732511, 1777195398],
];

describe("hashes match their reference implementations", () => {
  for (const [key, javaMurmur2, javaCrc32, goFnv1a] of VECTORS) {
    test(JSON.stringify(key), () => {
      const bytes = new TextEncoder().encode(key);
      assert.equal(murmur2(bytes), javaMurmur2, "murmur2");
      assert.equal(crc32(bytes), javaCrc32, "crc32");
      assert.equal(fnv1a32(bytes), goFnv1a, "fnv1a32");
    });
  }

  test("crc32 continues across splits", () => {
    const bytes = new TextEncoder().encode("foobar");
    assert.equal(crc32(bytes.subarray(3), crc32(bytes.subarray(0, 3))), crc32(bytes));
  });
});
