// Incremental fetch sessions (KIP-227) against the real broker: after the first, full fetch,
// a Reader over many partitions sends fetches that name only what changed, so they stay small
// however many partitions it reads; without sessions every fetch names them all.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dial, FirstOffset, Reader, Writer } from "../../mod.ts";
import { type Connect, detectConnect } from "../../src/transport/socket.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS").split(",");
const PARTITIONS = 30;

/** A `connect` that records the size of every Fetch request written. */
async function fetchSizes(): Promise<{ connect: Connect; sizes: number[] }> {
  const base = await detectConnect();
  const sizes: number[] = [];
  const connect: Connect = async (options) => {
    const socket = await base(options);
    return {
      write(data) {
        // One write is one request frame: its size (4 bytes), then the API key (Fetch is 1).
        if (data.length >= 6 && data[4] === 0 && data[5] === 1) sizes.push(data.length);
        return socket.write(data);
      },
      read: () => socket.read(),
      close: () => socket.close(),
    };
  };
  return { connect, sizes };
}

async function readAll(fetchSessions: boolean) {
  const topic = `kafkit-sessions-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
  {
    await using conn = await dial(brokers()[0]);
    await conn.createTopics([{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }]);
  }
  await using w = new Writer({ brokers: brokers(), topic });
  await w.writeMessages([{ value: "a", partition: 3 }, { value: "b", partition: 17 }]);
  const { connect, sizes } = await fetchSizes();
  await using r = new Reader({
    brokers: brokers(),
    connect,
    maxWait: 100,
    fetchSessions,
    partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({
      topic,
      partition,
      offset: FirstOffset,
    })),
  });
  const values = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const m = await r.readMessage({ signal: AbortSignal.timeout(15_000) });
    values.add(new TextDecoder().decode(m.value!));
  }
  assert.deepEqual([...values].sort(), ["a", "b"]);
  // A few idle fetches more.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return sizes;
}

describe(`Reader fetch sessions on the broker (${RUNTIME})`, () => {
  test("after the full first fetch, idle fetches over 30 partitions name none of them", async () => {
    const sizes = await readAll(true);
    assert.ok(sizes.length >= 3, `${sizes.length} fetches`);
    // The full fetch names 30 partitions (tens of bytes each); later ones only session fields.
    assert.ok(sizes[0] > 30 * 20, `first fetch ${sizes[0]} B`);
    const idle = sizes.slice(-2);
    assert.ok(idle.every((n) => n < 100), `idle fetches ${idle.join(", ")} B`);
  });

  test("fetchSessions: false names every partition in every fetch", async () => {
    const sizes = await readAll(false);
    assert.ok(sizes.length >= 3);
    assert.ok(sizes.every((n) => n > 30 * 20), `fetches ${sizes.join(", ")} B`);
  });
});
