// Per-call options of the Reader, Writer, ConsumerGroup and Conn: a misspelt name (`{ singal }`,
// which would otherwise just never abort) is a TypeError naming the call and the option.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConsumerGroup, Dialer, Reader, Writer } from "../../mod.ts";
import { answerListOffsets, FakeKafka } from "./_fake_broker.ts";

const typo = { singal: AbortSignal.timeout(1_000) };

function misspelt(call: string, name = "singal") {
  return (e: unknown) =>
    e instanceof TypeError &&
    e.message.startsWith(`${call}: unknown option "${name}"`) &&
    (name !== "singal" || /did you mean "signal"/.test(e.message));
}

describe("per-call options", () => {
  test("Reader: every call rejects an unknown option before it reads or waits", async () => {
    const fake = new FakeKafka([1]);
    fake.createTopic("t", 1);
    answerListOffsets(fake);
    const reader = new Reader({ brokers: fake.brokers, topic: "t", connect: fake.connect });
    try {
      // @ts-expect-error: the misspelling is the point
      await assert.rejects(reader.fetchMessage(typo), misspelt("Reader.fetchMessage"));
      // @ts-expect-error: as above
      await assert.rejects(reader.readMessage(typo), misspelt("Reader.readMessage"));
      // @ts-expect-error: as above
      await assert.rejects(reader.fetchMessages(typo), misspelt("Reader.fetchMessages"));
      await assert.rejects(
        // @ts-expect-error: `limit` is not the batch calls' name for it
        reader.readMessages({ limit: 10 }),
        misspelt("Reader.readMessages", "limit"),
      );
      // @ts-expect-error: as above
      await assert.rejects(reader.readLag(typo), misspelt("Reader.readLag"));
      // @ts-expect-error: as above
      await assert.rejects(reader.setOffsetAt(0, typo), misspelt("Reader.setOffsetAt"));
      // @ts-expect-error: as above
      await assert.rejects(reader.close(typo), misspelt("Reader.close"));
      // The known names still work (a signal already aborted ends the wait at once).
      await assert.rejects(
        reader.fetchMessages({ signal: AbortSignal.abort(), max: 5 }),
        (e: unknown) => e instanceof Error && e.name === "AbortError",
      );
    } finally {
      await reader.close();
    }
  });

  test("Writer: writeMessages, deliver, flush and close reject an unknown option", async () => {
    const fake = new FakeKafka([1]);
    fake.createTopic("t", 1);
    const writer = new Writer({ brokers: fake.brokers, topic: "t", connect: fake.connect });
    try {
      await assert.rejects(
        // @ts-expect-error: the misspelling is the point
        writer.writeMessages([{ value: "a" }], typo),
        misspelt("Writer.writeMessages"),
      );
      // @ts-expect-error: as above
      await assert.rejects(writer.deliver([{ value: "a" }], typo), misspelt("Writer.deliver"));
      // @ts-expect-error: as above
      await assert.rejects(writer.flush(typo), misspelt("Writer.flush"));
      // @ts-expect-error: as above
      await assert.rejects(writer.close(typo), misspelt("Writer.close"));
      // Nothing was accepted by the refused calls.
      assert.equal(fake.requests("Produce").length, 0);
    } finally {
      await writer.close();
    }
  });

  test("ConsumerGroup: next and close reject an unknown option", async () => {
    const fake = new FakeKafka([1]);
    const group = new ConsumerGroup({
      id: "g",
      brokers: fake.brokers,
      topics: ["t"],
      connect: fake.connect,
    });
    try {
      // @ts-expect-error: the misspelling is the point
      await assert.rejects(group.next(typo), misspelt("ConsumerGroup.next"));
      // @ts-expect-error: as above
      await assert.rejects(group.close(typo), misspelt("ConsumerGroup.close"));
    } finally {
      await group.close();
    }
  });

  test("Conn: each call checks its own option names", async () => {
    const fake = new FakeKafka([1]);
    fake.createTopic("t", 1);
    answerListOffsets(fake);
    const dialer = new Dialer({ connect: fake.connect });
    await using conn = await dialer.dialLeader(fake.brokers[0], "t", 0);
    const before = fake.requests("ListOffsets").length;
    await assert.rejects(
      // @ts-expect-error: the misspelling is the point
      conn.readLastOffset({ timout: 5 }),
      misspelt("Conn.readLastOffset", "timout"),
    );
    await assert.rejects(
      // @ts-expect-error: a read option on a write
      conn.writeMessagesAt([{ value: "a" }], { maxWait: 5 }),
      misspelt("Conn.writeMessagesAt", "maxWait"),
    );
    await assert.rejects(
      // @ts-expect-error: a write option on a read
      conn.readBatchWith({ transactional: true }),
      misspelt("Conn.readBatchWith", "transactional"),
    );
    // @ts-expect-error: as above
    await assert.rejects(conn.brokers(typo), misspelt("Conn.brokers"));
    assert.equal(fake.requests("ListOffsets").length, before);
    assert.equal(fake.requests("Produce").length, 0);
    // The known names are accepted.
    assert.equal(await conn.readLastOffset({ timeout: 5_000 }), 0);
  });
});
