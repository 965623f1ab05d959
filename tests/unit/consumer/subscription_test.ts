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
  subscriptionVersion,
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

  test("kafka-go's subscription (version 1, version 0's fields) is read at version 0", () => {
    // kafka-go v0.4.51 writes Version 1, topics, userData, and nothing more.
    const kafkaGo = unhex("0001" + "00000001" + "000174" + "00000002" + "0102");
    const s = decodeSubscription(kafkaGo);
    assert.deepEqual(s.topics, ["t"]);
    assert.deepEqual(s.userData, Uint8Array.of(1, 2));
    assert.deepEqual(s.ownedPartitions, []);
    assert.equal(s.generationId, -1);
  });

  test("a payload ending early is read at the highest version whose fields fit", () => {
    const full = unhex(JAVA_SUBSCRIPTION);
    // version(2) topics(4+3+3) userData(4+2) = 18 bytes is version 0 complete.
    for (let n = 0; n < 18; n++) {
      assert.throws(() => decodeSubscription(full.subarray(0, n)), DecodeError, `length ${n}`);
    }
    assert.deepEqual(decodeSubscription(full.subarray(0, 18)).topics, ["a", "b"]);
    // Up to the owned partitions (version 1), then the generation (version 2).
    const v1 = decodeSubscription(full.subarray(0, full.length - 8));
    assert.deepEqual(v1.ownedPartitions.map((t) => t.topic), ["a", "b"]);
    assert.equal(v1.generationId, -1);
    const v2 = decodeSubscription(full.subarray(0, full.length - 4));
    assert.equal(v2.generationId, 7);
    assert.equal(v2.rackId, null);
  });

  test("subscriptions offering only kafka-go's protocols (no rack) are written as version 0", () => {
    const s = {
      topics: ["t"],
      userData: null,
      ownedPartitions: [{ topic: "t", partitions: [0] }],
      generationId: 3,
      rackId: null,
    };
    assert.equal(subscriptionVersion(["range", "roundrobin"], null), 0);
    assert.equal(subscriptionVersion(["range", "cooperative-sticky"], null), 3);
    assert.equal(subscriptionVersion(["range"], "r1"), 3);
    // Exactly version 0's bytes: what kafka-go's leader accepts (nothing after userData).
    assert.equal(hex(encodeSubscription(s, 0)), "0000" + "00000001" + "000174" + "ffffffff");
  });

  test("garbage payloads are DecodeErrors, never crashes", () => {
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
