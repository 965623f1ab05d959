import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ByteReader } from "../../../src/wire/byte_reader.ts";
import { ByteWriter } from "../../../src/wire/byte_writer.ts";
import { uuidToBytes, uuidToString, ZERO_UUID } from "../../../src/wire/uuid.ts";
import { DecodeError } from "../../../src/errors.ts";

describe("ByteWriter and ByteReader", () => {
  test("fixed-width integers round-trip at their limits", () => {
    const w = new ByteWriter(1);
    w.int8(-128);
    w.int16(32767);
    w.uint16(65535);
    w.int32(-2147483648);
    w.uint32(4294967295);
    w.int64(-9223372036854775808n);
    w.int64Number(-9007199254740991);
    w.float64(1.5);
    w.bool(true);
    const r = new ByteReader(w.bytes());
    assert.equal(r.int8(), -128);
    assert.equal(r.int16(), 32767);
    assert.equal(r.uint16(), 65535);
    assert.equal(r.int32(), -2147483648);
    assert.equal(r.uint32(), 4294967295);
    assert.equal(r.int64(), -9223372036854775808n);
    assert.equal(r.int64Number(), -9007199254740991);
    assert.equal(r.float64(), 1.5);
    assert.equal(r.bool(), true);
    r.done("test");
  });

  test("varints use Kafka's zigzag encoding", () => {
    const cases: [number, number[]][] = [
      [0, [0]],
      [-1, [1]],
      [1, [2]],
      [63, [126]],
      [-64, [127]],
      [
        64,
        [0x80, 0x01],
      ],
      [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
      [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, bytes] of cases) {
      const w = new ByteWriter();
      w.varint(value);
      assert.deepEqual([...w.bytes()], bytes, `varint ${value}`);
      assert.equal(new ByteReader(w.bytes()).varint(), value);
    }
  });

  test("varlongs round-trip across the safe integer range", () => {
    for (
      const v of [
        0,
        -1,
        2 ** 31,
        -(2 ** 31) - 1,
        2 ** 40 + 3,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
      ]
    ) {
      const w = new ByteWriter();
      w.varlong(v);
      const r = new ByteReader(w.bytes());
      assert.equal(r.varlong(), v);
      r.done("varlong");
    }
  });

  test("strings: classic, compact, null, and multi-byte UTF-8", () => {
    const long = "x".repeat(300) + "é€😀";
    const w = new ByteWriter(4);
    w.string("héllo");
    w.string(null);
    w.compactString("añb");
    w.compactString(null);
    w.compactString(long);
    w.compactString("");
    const r = new ByteReader(w.bytes());
    assert.equal(r.string(), "héllo");
    assert.equal(r.nullableString(), null);
    assert.equal(r.compactString(), "añb");
    assert.equal(r.compactNullableString(), null);
    assert.equal(r.compactString(), long);
    assert.equal(r.compactString(), "");
    r.done("strings");
  });

  test("bytes are views into the input, not copies", () => {
    const w = new ByteWriter();
    w.bytesField(new Uint8Array([1, 2, 3]));
    w.compactBytes(null);
    const input = w.bytes();
    const r = new ByteReader(input);
    const b = r.bytes();
    assert.deepEqual([...b], [1, 2, 3]);
    assert.equal(b.buffer, input.buffer);
    assert.equal(r.compactNullableBytes(), null);
  });

  test("UUIDs use Kafka's base64url text form", () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const text = uuidToString(bytes);
    assert.equal(text.length, 22);
    assert.deepEqual([...uuidToBytes(text)], [...bytes]);
    assert.equal(uuidToString(new Uint8Array(16)), ZERO_UUID);
    assert.throws(() => uuidToBytes("short"), TypeError);
  });

  test("a truncated read is sticky and reported once, with its offset", () => {
    const r = new ByteReader(new Uint8Array([0, 0, 0, 7, 1]));
    assert.equal(r.int32(), 7);
    assert.equal(r.int32(), 0); // only one byte left
    assert.equal(r.ok, false);
    assert.equal(r.int8(), 0); // still failed, neutral value
    assert.throws(() => r.check("frame"), (e: unknown) => {
      assert.ok(e instanceof DecodeError);
      assert.equal(e.offset, 4);
      assert.match(e.message, /needed 4 bytes, 1 left/);
      return true;
    });
  });

  test("a length larger than the input never allocates", () => {
    const w = new ByteWriter();
    w.int32(0x7fff_ffff); // array length
    w.int8(0);
    const r = new ByteReader(w.bytes());
    assert.equal(r.arrayLength(), 0);
    assert.throws(() => r.check("array"), DecodeError);
    const r2 = new ByteReader(new Uint8Array([0x7f, 0xff, 0xff, 0xff]));
    assert.equal(r2.bytes().length, 0);
    assert.throws(() => r2.check("bytes"), DecodeError);
  });

  test("an over-long unsigned varint fails", () => {
    const r = new ByteReader(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    r.uvarint();
    assert.throws(() => r.check("uvarint"), /longer than 5 bytes/);
  });

  test("invalid UTF-8 is a DecodeError", () => {
    const r = new ByteReader(new Uint8Array([0, 2, 0xc3, 0x28]));
    r.string();
    assert.throws(() => r.check("string"), DecodeError);
  });

  test("trailing bytes fail done()", () => {
    const r = new ByteReader(new Uint8Array([1, 2]));
    r.int8();
    assert.throws(() => r.done("msg"), /1 unexpected trailing bytes/);
  });
});
