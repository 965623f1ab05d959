// The consumer protocol's JoinGroup/SyncGroup payloads must be byte-identical to the Java
// client's, or mixed groups break. Reference bytes: Java 4.3.1's ConsumerProtocol
// serializeSubscription / serializeAssignment (via jshell) for the same inputs.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { DecodeError } from "../../../mod.ts";
import {
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from "../../../src/consumer/_subscription.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.match(/../g)!, (x) => parseInt(x, 16));

const JAVA_SUBSCRIPTION = "000300000002000161000162000000020102000000020001610000000200000000" +
  "0000000200016200000001000000010000000700027231";
const JAVA_ASSIGNMENT = "0003000000020001610000000100000001000162000000020000000000000003ffffffff";

describe("consumer protocol payloads", () => {
  test("a subscription encodes as Java's (v3: owned partitions, generation, rack)", () => {
    const bytes = encodeSubscription({
      topics: ["a", "b"],
      userData: Uint8Array.of(1, 2),
      ownedPartitions: [{ topic: "a", partitions: [0, 2] }, { topic: "b", partitions: [1] }],
      generationId: 7,
      rackId: "r1",
    });
    assert.equal(hex(bytes), JAVA_SUBSCRIPTION);
    const back = decodeSubscription(bytes);
    assert.deepEqual(back.topics, ["a", "b"]);
    assert.equal(back.generationId, 7);
    assert.equal(back.rackId, "r1");
    assert.deepEqual(back.ownedPartitions[0].partitions, [0, 2]);
  });

  test("an assignment encodes as Java's; empty bytes are no assignment", () => {
    const bytes = encodeAssignment([
      { topic: "a", partitions: [1] },
      { topic: "b", partitions: [0, 3] },
    ]);
    assert.equal(hex(bytes), JAVA_ASSIGNMENT);
    assert.deepEqual(decodeAssignment(unhex(JAVA_ASSIGNMENT)).assignedPartitions, [
      { topic: "a", partitions: [1] },
      { topic: "b", partitions: [0, 3] },
    ]);
    assert.deepEqual(decodeAssignment(new Uint8Array(0)).assignedPartitions, []);
  });

  test("a v0 subscription (old clients) has no owned partitions and generation -1", () => {
    // version 0, topics ["t"], userData null
    const v0 = unhex("0000" + "00000001" + "000174" + "ffffffff");
    const s = decodeSubscription(v0);
    assert.deepEqual(s.topics, ["t"]);
    assert.deepEqual(s.ownedPartitions, []);
    assert.equal(s.generationId, -1);
    assert.equal(s.rackId, null);
  });

  test("a newer version is read as far as known", () => {
    const v9 = unhex(JAVA_SUBSCRIPTION);
    v9[1] = 9;
    assert.deepEqual(decodeSubscription(v9).topics, ["a", "b"]);
  });

  test("truncated or garbage payloads are DecodeErrors, never crashes", () => {
    const full = unhex(JAVA_SUBSCRIPTION);
    for (let n = 0; n < full.length - 8; n++) {
      assert.throws(() => decodeSubscription(full.subarray(0, n)), DecodeError, `length ${n}`);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        for (const decode of [decodeSubscription, decodeAssignment]) {
          try {
            decode(bytes);
          } catch (e) {
            assert.ok(e instanceof DecodeError, String(e));
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
