// A fetched partition's records become its messages without a copy per record: the decoded
// record is the message (topic, partition and high watermark filled in), its Date is made on
// first read, and records without headers get an empty array of their own.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fetchedMessages } from "../../../src/cluster/requests/fetched.ts";
import { encodeRecordBatch, readRecordBatches } from "../../../src/protocol/records.ts";
import { DecodeError } from "../../../src/errors.ts";
import { defaultFetchResponsePartitionData } from "../../../src/protocol/generated/fetch.ts";

const enc = (s: string) => new TextEncoder().encode(s);

async function partition(compression: "none" | "snappy") {
  const records = await encodeRecordBatch([
    { key: enc("a"), value: enc("one"), timestamp: 1_700_000_000_000 },
    { value: enc("two"), timestamp: 1_700_000_000_001, headers: [{ key: "h", value: enc("x") }] },
    { value: enc("three"), timestamp: 1_700_000_000_002 },
  ], { baseOffset: 10, compression });
  return { ...defaultFetchResponsePartitionData(), highWatermark: 13n, records };
}

const options = { readCommitted: false, maxBytes: 1 << 20 };

describe("fetchedMessages", () => {
  for (const codec of ["none", "snappy"] as const) {
    test(`hands the decoded records over as messages (${codec})`, async () => {
      const { messages, endOffset, highWaterMark } = await fetchedMessages(
        await partition(codec),
        "orders",
        3,
        11,
        options,
      );
      assert.equal(endOffset, 13);
      assert.equal(highWaterMark, 13);
      assert.deepEqual(
        messages.map((m) => [m.topic, m.partition, m.offset, m.highWaterMark]),
        [["orders", 3, 11, 13], ["orders", 3, 12, 13]],
      );
      assert.deepEqual(messages.map((m) => new TextDecoder().decode(m.value!)), ["two", "three"]);
      assert.deepEqual(messages[0].headers, [{ key: "h", value: enc("x") }]);
      assert.equal(messages[1].time.getTime(), 1_700_000_000_002);
      assert.equal(messages[1].time, messages[1].time, "one Date per message");
    });
  }

  test("records without headers each get an empty array of their own, open to additions", async () => {
    const [batch] = await readRecordBatches((await partition("none")).records);
    const [first, , third] = batch.records;
    assert.notEqual(first.headers, third.headers);
    first.headers.push({ key: "forwarded-by", value: null });
    assert.equal(third.headers.length, 0);
  });

  test("a message's time can be set, as Message's type allows", async () => {
    const { messages } = await fetchedMessages(await partition("none"), "t", 0, 0, options);
    const when = new Date(0);
    messages[0].time = when;
    assert.equal(messages[0].time, when);
  });

  test("a malformed record is still a DecodeError", async () => {
    const { records } = await partition("none");
    const bad = records.slice();
    bad[61] = 0x7f; // the first record's length: far past the batch
    await assert.rejects(
      fetchedMessages({ ...defaultFetchResponsePartitionData(), records: bad }, "t", 0, 0, {
        ...options,
        checkCrcs: false,
      }),
      DecodeError,
    );
  });
});
