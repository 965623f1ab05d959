import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CHUNK_BUFFER_SIZE, ChunkQueue } from "../../../src/transport/_chunk_queue.ts";

describe("ChunkQueue", () => {
  test("pauses the source once past the high water mark, resumes it once drained to half", async () => {
    const calls: string[] = [];
    const q = new ChunkQueue(10, () => calls.push("pause"), () => calls.push("resume"));
    // Reads that never paused the source do not touch it.
    q.push(new Uint8Array(4));
    assert.equal((await q.read())!.length, 4);
    assert.deepEqual(calls, []);
    for (let i = 0; i < 4; i++) q.push(new Uint8Array(4)); // 16 held
    assert.deepEqual(calls, ["pause"], "once, however many chunks arrive past the mark");
    await q.read(); // 12 held
    await q.read(); // 8 held
    assert.deepEqual(calls, ["pause"]);
    await q.read(); // 4 held: half the mark
    await q.read();
    assert.deepEqual(calls, ["pause", "resume"]);
  });

  test("a waiting read gets the next chunk; the end is null, or the error", async () => {
    const q = new ChunkQueue(10, () => {}, () => {});
    const waiting = q.read();
    q.push(Uint8Array.of(7));
    assert.deepEqual(await waiting, Uint8Array.of(7));
    const last = q.read();
    q.end();
    assert.equal(await last, null);
    const failed = new ChunkQueue(10, () => {}, () => {});
    const read = failed.read();
    failed.end(new Error("reset"));
    await assert.rejects(read, /reset/);
  });

  test("copied chunks keep their bytes until the read after them, then their buffer is reused", async () => {
    const q = new ChunkQueue(1 << 20, () => {}, () => {});
    // The source's buffer, overwritten after every callback (as Bun's is).
    const source = new Uint8Array(8);
    const deliver = (byte: number) => {
      source.fill(byte);
      q.pushCopy(source);
      source.fill(0xee);
    };
    deliver(1);
    deliver(2);
    const first = (await q.read())!;
    // Queued, each chunk was copied: it kept its own bytes.
    assert.deepEqual([...first], Array(8).fill(1));
    const second = (await q.read())!;
    assert.deepEqual([...second], Array(8).fill(2));
    // `first` was valid until this second read: its buffer takes the next chunk, while
    // `second`, valid until the next read, is left alone.
    deliver(3);
    assert.deepEqual([...second], Array(8).fill(2));
    const third = (await q.read())!;
    assert.equal(third.buffer, first.buffer, "the buffer is reused");
    assert.deepEqual([...third], Array(8).fill(3));
    // A waiting read gets a copy too.
    const waiting = q.read();
    deliver(5);
    assert.deepEqual([...(await waiting)!], Array(8).fill(5));
    // A chunk larger than the queue's buffers is copied into one of its own.
    const big = new Uint8Array(CHUNK_BUFFER_SIZE + 1).fill(6);
    q.pushCopy(big);
    big.fill(0);
    const got = (await q.read())!;
    assert.equal(got.length, CHUNK_BUFFER_SIZE + 1);
    assert.ok(got.every((b) => b === 6));
  });
});
