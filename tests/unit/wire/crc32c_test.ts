import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { crc32c } from "../../../src/wire/crc32c.ts";

describe("crc32c", () => {
  test("matches the standard check values", () => {
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa); // RFC 3720 B.4: 32 zero bytes
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43); // 32 bytes of 0xff
  });

  test("slice-by-8 agrees with the bytewise result at every length and split", () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 31 + 7) & 0xff);
    for (let n = 0; n <= data.length; n++) {
      const whole = crc32c(data.subarray(0, n));
      for (const cut of [0, 1, 3, Math.floor(n / 2)]) {
        if (cut > n) continue;
        assert.equal(crc32c(data.subarray(cut, n), crc32c(data.subarray(0, cut))), whole);
      }
    }
  });
});
