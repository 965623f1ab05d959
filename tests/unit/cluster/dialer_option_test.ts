import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Client, ConsumerGroup, Dialer, Reader, Writer } from "../../../mod.ts";
import { Cluster } from "../../../src/core.ts";
import { FakeKafka } from "../_fake_broker.ts";

const brokers = ["127.0.0.1:1"]; // nothing is dialed by a constructor

describe("the dialer option", () => {
  const dialer = new Dialer({ clientId: "shared" });
  const configs: [string, (extra: object) => { close(): Promise<void> }][] = [
    ["Writer", (extra) => new Writer({ brokers, topic: "t", ...extra })],
    ["Reader", (extra) => new Reader({ brokers, topic: "t", partition: 0, ...extra })],
    ["ConsumerGroup", (extra) => new ConsumerGroup({ brokers, id: "g", topics: ["t"], ...extra })],
    ["Client", (extra) => new Client({ brokers, ...extra })],
    ["Cluster", (extra) => new Cluster({ brokers, ...extra })],
  ];

  test("every config takes one Dialer; a connection option beside it is a TypeError naming it", async () => {
    for (const [name, make] of configs) {
      await make({ dialer }).close();
      for (const option of [{ tls: {} }, { clientId: "x" }, { connectTimeout: 1 }]) {
        assert.throws(
          () => make({ dialer, ...option }),
          new RegExp(`${Object.keys(option)[0]} is the dialer's`),
          `${name} with ${Object.keys(option)[0]}`,
        );
      }
      assert.throws(() => make({ dialer: {} }), /dialer must be a Dialer/, name);
    }
  });

  test("the core's connections are the dialer's: opened by its connect, each dial observed", async () => {
    const kafka = new FakeKafka([1]);
    kafka.createTopic("t", 1);
    const sockets: string[] = [];
    const seen = new Dialer({
      clientId: "from-the-dialer",
      connect: (o) => {
        sockets.push(o.host);
        return kafka.connect(o);
      },
    });
    const cluster = new Cluster({ brokers: kafka.brokers, dialer: seen });
    const dials: number[] = [];
    const stop = cluster.observe({ dialed: (ms) => dials.push(ms), timedOut: () => {} });
    await cluster.topic("t");
    stop();
    await cluster.close();
    assert.ok(sockets.length >= 1, "the dialer's connect opened the socket");
    assert.equal(dials.length, sockets.length, "each dial observed");
    assert.equal(seen.clientId, "from-the-dialer");
  });
});
