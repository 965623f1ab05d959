// Share groups (KIP-932) on the real broker: members split a topic's records, released
// records come back, a crashed member's records return after the acquisition lock, and a
// Java share consumer takes part in the same group.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ShareReader, type ShareRecord } from "../../mod.ts";
import { Cluster } from "../../src/core.ts";
import { javaTool } from "../_java.ts";
import { brokers, readUntil, sharedTopic, text } from "./_share_group.ts";

describe("ShareReader (share groups, KIP-932)", () => {
  test("two members split a topic: every record is delivered once, to one of them", async () => {
    const count = 60;
    const { topic, groupId } = await sharedTopic(count, 2);
    // Few records per fetch, so both members get some while both are alive.
    const config = { brokers: brokers(), groupId, topics: [topic], maxRecords: 5 };
    await using a = new ShareReader(config);
    await using b = new ShareReader(config);
    const gotA: ShareRecord[] = [], gotB: ShareRecord[] = [];
    const done = () => gotA.length + gotB.length >= count;
    const stop = new AbortController();
    await Promise.all([
      readUntil(a, gotA, done, 30_000, stop),
      readUntil(b, gotB, done, 30_000, stop),
    ]);
    const all = [...gotA, ...gotB].map(text).sort();
    assert.equal(all.length, count, "each record once");
    assert.deepEqual(new Set(all), new Set(Array.from({ length: count }, (_, i) => `m${i}`)));
    assert.ok([...gotA, ...gotB].every((r) => r.deliveryCount === 1));
    assert.ok(gotA.length > 0 && gotB.length > 0, `split ${gotA.length} + ${gotB.length}`);
    assert.notEqual(a.memberId, b.memberId);
  });

  test("a released record comes back with its delivery count raised; rejected and accepted ones do not", async () => {
    const { topic, groupId } = await sharedTopic(3, 1);
    await using r = new ShareReader({
      brokers: brokers(),
      groupId,
      topics: [topic],
      acknowledgement: "explicit",
    });
    const first: ShareRecord[] = [];
    await readUntil(r, first, () => first.length === 3);
    assert.deepEqual(first.map((m) => [text(m), m.deliveryCount]), [["m0", 1], ["m1", 1], [
      "m2",
      1,
    ]]);
    r.acknowledge(first[0]);
    r.acknowledge(first[1], "release");
    r.acknowledge(first[2], "reject");
    await r.commit();
    const again = await r.readMessage({ signal: AbortSignal.timeout(15_000) });
    assert.deepEqual([text(again), again.offset, again.deliveryCount], ["m1", 1, 2]);
    r.acknowledge(again);
    await r.commit();
    await assert.rejects(
      r.readMessage({ signal: AbortSignal.timeout(2_000) }),
      // The signal's end: an AbortError caused by the signal's TimeoutError.
      (e: unknown) =>
        (e as Error).name === "AbortError" &&
        ((e as Error).cause as Error)?.name === "TimeoutError",
      "nothing else is delivered",
    );
  });

  test("a crashed member's records come back to the group once their lock runs out", async () => {
    const { topic, groupId } = await sharedTopic(5, 1, { "share.record.lock.duration.ms": "1000" });
    // The crashed member: it takes the records and then its connections die, unacknowledged.
    const doomed = new Cluster({ brokers: brokers() });
    const crashed = new ShareReader({
      cluster: doomed,
      groupId,
      topics: [topic],
      acknowledgement: "explicit",
    });
    const taken: ShareRecord[] = [];
    await readUntil(crashed, taken, () => taken.length === 5);
    await doomed.close();
    await using survivor = new ShareReader({ brokers: brokers(), groupId, topics: [topic] });
    const back: ShareRecord[] = [];
    await readUntil(survivor, back, () => back.length === 5);
    assert.deepEqual(back.map(text), ["m0", "m1", "m2", "m3", "m4"]);
    assert.ok(back.every((m) => m.deliveryCount >= 2), "delivered before, to the crashed member");
    await crashed.close();
  });

  test("a Java share consumer and a kafkit member share one group: what Java left comes to kafkit", async () => {
    const count = 40;
    const { topic, groupId } = await sharedTopic(count, 2);
    // Java prints 10 records and exits; records it had acquired beyond those go back to the
    // group when it closes, and the kafkit member gets every record Java did not print.
    const javaLines = (await javaTool("org.apache.kafka.tools.consumer.ConsoleShareConsumer", [
      "--bootstrap-server",
      brokers()[0],
      "--topic",
      topic,
      "--group",
      groupId,
      "--max-messages",
      "10",
    ])).split("\n").filter((l) => l.startsWith("m"));
    assert.equal(javaLines.length, 10);
    await using r = new ShareReader({ brokers: brokers(), groupId, topics: [topic] });
    const got: ShareRecord[] = [];
    await readUntil(r, got, () => got.length === count - 10);
    const mine = got.map(text);
    assert.deepEqual(mine.filter((m) => javaLines.includes(m)), [], "no record to both members");
    assert.equal(new Set([...mine, ...javaLines]).size, count, "every record to one of them");
    // Nothing beyond that: Java's records were accepted.
    await assert.rejects(r.readMessage({ signal: AbortSignal.timeout(1_500) }));
  });

  test("no broker to reach: onError hears each failed dial and reads reject, never hang", async () => {
    const errors: unknown[] = [];
    const started = Date.now();
    await using r = new ShareReader({
      brokers: ["127.0.0.1:1"],
      groupId: "g",
      topics: ["t"],
      onError: (e) => errors.push(e),
    });
    await assert.rejects(r.readMessage(), (e: unknown) => (e as Error).name === "ConnectionError");
    assert.ok(errors.length > 0, "onError heard the failures");
    assert.ok(Date.now() - started < 10_000, `rejected after ${Date.now() - started} ms`);
  });

  test("bad configuration is a TypeError naming the field", () => {
    const base = { brokers: brokers(), groupId: "g", topics: ["t"] };
    assert.throws(() => new ShareReader({ ...base, topics: [] }), /topics/);
    assert.throws(
      // @ts-expect-error: not an acknowledgement mode
      () => new ShareReader({ ...base, acknowledgement: "auto" }),
      /acknowledgement/,
    );
    assert.throws(
      // @ts-expect-error: misspelt
      () => new ShareReader({ ...base, maxwait: 100 }),
      /unknown option "maxwait".*maxWait/,
    );
  });
});
