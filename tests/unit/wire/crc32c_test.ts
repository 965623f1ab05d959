import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { type Crc32c, crc32c, registerCrc32c } from "../../../src/wire/crc32c.ts";
import { encodeRecordBatch, readRecordBatches } from "../../../src/protocol/records.ts";
import { crc32 } from "../../../src/wire/hashes.ts";
import { crcSlice16, crcTables } from "../../../src/wire/_crc_tables.ts";

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

describe("the slice-by-16 CRC engine", () => {
  /** The CRC a byte at a time, straight from the polynomial. */
  function bitwise(poly: number, data: Uint8Array): number {
    let c = ~0;
    for (const b of data) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    }
    return ~c >>> 0;
  }

  test("agrees with a bitwise CRC-32C and CRC-32 at every length and alignment", () => {
    const buffer = Uint8Array.from({ length: 400 }, (_, i) => (i * 167 + 13) & 0xff);
    for (let start = 0; start < 4; start++) {
      for (const n of [0, 1, 15, 16, 17, 63, 64, 65, 79, 80, 127, 128, 200, 333, 396]) {
        const data = buffer.subarray(start, start + n);
        assert.equal(crc32c(data), bitwise(0x82f63b78, data), `crc32c start ${start} n ${n}`);
        assert.equal(crc32(data), bitwise(0xedb88320, data), `crc32 start ${start} n ${n}`);
      }
    }
  });

  test("CRC-32 matches its standard check value", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  });
});

/** kafkit's own CRC-32C engine, whatever is registered. */
const CASTAGNOLI = crcTables(0x82f63b78);
const jsCrc32c: Crc32c = (data, crc = 0) => crcSlice16(CASTAGNOLI, data, crc);

describe("registerCrc32c", () => {
  const digits = new TextEncoder().encode("123456789");

  test("a registered CRC-32C checks and writes record batches; undefined puts kafkit's back", async () => {
    let calls = 0;
    const counting = (data: Uint8Array, crc?: number) => (calls++, jsCrc32c(data, crc));
    registerCrc32c(counting);
    calls = 0; // registering tried it on known checksums
    try {
      const batch = await encodeRecordBatch([{ value: digits }]);
      assert.equal(calls, 1, "the batch's CRC was computed by it");
      const [decoded] = await readRecordBatches(batch);
      assert.equal(calls, 2, "and checked by it");
      assert.deepEqual(decoded.records[0].value, digits);
    } finally {
      registerCrc32c(undefined);
    }
    const before = calls;
    await readRecordBatches(await encodeRecordBatch([{ value: digits }]));
    assert.equal(calls, before, "kafkit's own is back");
  });

  test("a function that is not CRC-32C is refused, naming what it got wrong", () => {
    const refused = (fn: unknown, pattern: RegExp) =>
      assert.throws(() => registerCrc32c(fn as Crc32c), (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, pattern);
        return true;
      });
    // CRC-32 (gzip's polynomial), not CRC-32C.
    refused((d: Uint8Array) => crc32(d), /does not compute CRC-32C: "123456789" gave 3421780262/);
    // Ignores the CRC it continues from.
    refused((d: Uint8Array) => jsCrc32c(d), /continued from "1234"/);
    // Misreads a view that starts at an odd offset (as native code taking the buffer might).
    refused(
      (d: Uint8Array, c?: number) =>
        jsCrc32c(new Uint8Array(d.buffer, d.byteOffset & ~1, d.length), c),
      /a view at an odd offset gave/,
    );
    refused(() => {
      throw new Error("no native module");
    }, /threw Error: no native module/);
    refused("crc32c", /expected a function or undefined, got string/);
    // Nothing changed: kafkit's own still answers.
    assert.equal(crc32c(digits), 0xe3069283);
  });
});
