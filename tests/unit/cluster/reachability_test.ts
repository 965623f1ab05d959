// When is a cluster unreachable, and how does a Reader say so: every failed dial is heard as
// it fails; reads reject once every known broker failed its last `maxAttempts` dials and no
// connection is open, and go on once a broker answers again. Against the in-memory fake.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, TimeoutError } from "../../../src/errors.ts";
import { Reader } from "../../../src/consumer/reader.ts";
import { Fetch, type FetchResponse } from "../../../src/protocol/generated/fetch.ts";
import { answerListOffsets, FakeKafka, never, withCluster } from "../_fake_broker.ts";

/** A broker whose partitions start at offset 0 and whose fetches wait for ever. */
function emptyTopic(fake: FakeKafka): void {
  answerListOffsets(fake);
  fake.on(Fetch, () => never<FetchResponse>());
}

describe("Cluster reachability", () => {
  test("every failed dial is heard, with the broker's address", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).state = "dead";
    await withCluster(fake, async (cluster) => {
      const heard: [Error, string][] = [];
      const stop = cluster.onDialError((e, address) => heard.push([e, address]));
      await assert.rejects(cluster.refresh(), ConnectionError);
      assert.ok(heard.length >= 1);
      const [error, address] = heard[0];
      assert.equal(address, "broker1:9092");
      assert.ok(error instanceof ConnectionError);
      assert.equal(error.address, "broker1:9092");
      stop();
      const before = heard.length;
      await assert.rejects(cluster.refresh(), ConnectionError);
      assert.equal(heard.length, before, "no longer heard once unsubscribed");
    }, { deadBrokerBackoff: 0 });
  });

  test("unreachable once every address failed `attempts` dials in a row and none is open", async () => {
    const fake = new FakeKafka([1, 2]);
    fake.createTopic("t", 1);
    await withCluster(fake, async (cluster) => {
      await cluster.refresh(["t"]);
      assert.equal(cluster.unreachable(1), undefined, "an open connection: reachable");
      for (const n of fake.nodes.values()) n.state = "dead";
      for (const s of fake.nodes.values()) for (const socket of s.sockets) socket.close();
      // Let the connections notice their sockets closed.
      await new Promise((r) => setTimeout(r, 60)); // and the metadata is not fresh any more
      await assert.rejects(cluster.refresh(["t"]));
      const one = cluster.unreachable(1);
      assert.ok(one instanceof ConnectionError, String(one));
      assert.equal(cluster.unreachable(1_000), undefined, "not that many dials yet");
      // One broker back: its dial works, so the cluster is reachable again.
      fake.node(2).state = "up";
      await cluster.refresh(["t"]);
      assert.equal(cluster.unreachable(1), undefined);
    }, { deadBrokerBackoff: 0 });
  });
});

describe("Reader failure rule (fake broker)", () => {
  test("reads reject with the last dial error, then read again once the broker is back", async () => {
    const fake = new FakeKafka([1]);
    emptyTopic(fake);
    fake.node(1).state = "dead";
    const errors: unknown[] = [];
    const reader = new Reader({
      brokers: fake.brokers,
      connect: fake.connect,
      topic: "t",
      maxAttempts: 2,
      readBackoffMin: 1,
      readBackoffMax: 5,
      deadBrokerBackoff: 0,
      onError: (e) => errors.push(e),
    });
    try {
      const started = Date.now();
      await assert.rejects(reader.readMessage(), (e: unknown) => {
        assert.ok(e instanceof ConnectionError, String(e));
        assert.equal(e.address, "broker1:9092");
        return true;
      });
      assert.ok(Date.now() - started < 1_000);
      assert.ok(errors.length >= 2, `onError heard ${errors.length} failures`);
      assert.equal(new Set(errors).size, errors.length, "each failure reported once");
      // Rejects at once while nothing can be reached.
      await assert.rejects(reader.fetchMessage(), ConnectionError);
      fake.node(1).state = "up";
      fake.createTopic("t", 1);
      // Once a dial works the read waits again (the topic is empty): the signal ends it.
      await assert.rejects(
        async () => {
          for (;;) {
            try {
              return await reader.readMessage({ signal: AbortSignal.timeout(300) });
            } catch (e) {
              if (!(e instanceof ConnectionError)) throw e;
              await new Promise((r) => setTimeout(r, 5)); // a dial still failing
            }
          }
        },
        (e: unknown) => (e as Error).name === "AbortError",
      );
    } finally {
      const t = Date.now();
      await reader.close();
      assert.ok(Date.now() - t < 1_000);
    }
  });

  test("a silent broker is a TimeoutError naming it and its time limit", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).state = "silent";
    await withCluster(fake, async (cluster) => {
      await assert.rejects(cluster.anyConnection(), (e: unknown) => {
        assert.ok(e instanceof TimeoutError, String(e));
        assert.equal(e.address, "broker1:9092");
        assert.equal(e.timeoutMs, 20);
        return true;
      });
    }, { connectTimeout: 20 });
  });
});
