import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { DecodeError } from "../../../src/errors.ts";
import { EAGER_FRAME_SIZE, Framer } from "../../../src/transport/_framer.ts";

/** Frames with these bodies, each behind its int32 size. */
function stream(bodies: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(bodies.reduce((n, b) => n + 4 + b.length, 0));
  let at = 0;
  for (const b of bodies) {
    new DataView(out.buffer).setInt32(at, b.length);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

const body = (n: number, seed: number) =>
  Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

/** Feeds `bytes` in chunks of `size` and returns the frames. */
function frames(framer: Framer, bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    framer.push(bytes.subarray(at, at + size), (f) => out.push(f));
  }
  return out;
}

describe("Framer", () => {
  test("a huge declared size with few bytes allocates a bounded buffer, not the size", () => {
    const framer = new Framer(128 * 1024 * 1024);
    const input = new Uint8Array(12);
    new DataView(input.buffer).setInt32(0, 127 * 1024 * 1024);
    framer.push(input, () => assert.fail("no frame is complete"));
    assert.ok(framer.allocated <= EAGER_FRAME_SIZE, `${framer.allocated} bytes allocated`);
    // As bytes arrive, the buffer grows with them: never far ahead.
    let arrived = 8;
    for (let i = 0; i < 40; i++) {
      framer.push(new Uint8Array(64 * 1024), () => assert.fail("no frame is complete"));
      arrived += 64 * 1024;
      assert.ok(
        framer.allocated <= Math.max(EAGER_FRAME_SIZE, 4 * arrived),
        `${framer.allocated} bytes for ${arrived} arrived`,
      );
    }
  });

  test("frames come out byte for byte, however the stream is cut", () => {
    const bodies = [body(0, 1), body(1, 2), body(300, 3), body(70_000, 4), body(5, 5)];
    const bytes = stream(bodies);
    for (const size of [1, 3, 4, 7, 1000, 65_536, bytes.length]) {
      assert.deepEqual(frames(new Framer(1 << 20), bytes, size), bodies, `chunks of ${size}`);
    }
  });

  test("a frame larger than the eager size grows to exactly its size", () => {
    const big = body(3 * EAGER_FRAME_SIZE + 12_345, 9);
    const bytes = stream([big, body(10, 1)]);
    const [first, second] = frames(new Framer(8 * EAGER_FRAME_SIZE), bytes, 64 * 1024);
    assert.equal(first.length, big.length);
    assert.deepEqual(first, big);
    assert.deepEqual(second, body(10, 1));
  });

  test("a frame whole in one chunk is a plain copy, not a view of the chunk", () => {
    // Node and Bun hand out Buffers, whose slice() is a view.
    for (const chunk of [stream([body(16, 3)]), Buffer.from(stream([body(16, 3)]))]) {
      const [frame] = frames(new Framer(1024), chunk, chunk.length);
      chunk.fill(0); // the socket reuses its buffer
      assert.deepEqual(frame, body(16, 3));
      assert.equal(Object.getPrototypeOf(frame), Uint8Array.prototype);
    }
  });

  test("a size outside 0..maxFrameSize is a DecodeError before anything is allocated", () => {
    for (const size of [-1, 1025]) {
      const framer = new Framer(1024);
      const header = new Uint8Array(4);
      new DataView(header.buffer).setInt32(0, size);
      assert.throws(() => framer.push(header, () => {}), DecodeError);
      assert.equal(framer.allocated, 0);
    }
  });
});
