import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ChunkQueue } from "../../../src/transport/_chunk_queue.ts";

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
});
