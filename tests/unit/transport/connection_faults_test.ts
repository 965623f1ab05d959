// How one connection fails: a request that times out or an answer that does not decode ends
// the connection, and every request on it fails in a way a caller retries.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  AbortError,
  ConnectionError,
  DecodeError,
  KafkitError,
  TimeoutError,
} from "../../../src/errors.ts";
import { ApiVersions } from "../../../src/protocol/generated/api_versions.ts";
import {
  defaultListGroupsResponse,
  ListGroups,
  type ListGroupsResponse,
} from "../../../src/protocol/generated/list_groups.ts";
import { Connection } from "../../../src/transport/connection.ts";
import { FakeKafka, never, RawBody } from "../_fake_broker.ts";

/** A connection to broker 1 of `fake`. */
function connect(fake: FakeKafka, requestTimeout = 10_000): Promise<Connection> {
  const node = fake.node(1);
  return Connection.connect({
    host: node.host,
    port: node.port,
    connect: fake.connect,
    requestTimeout,
  });
}

const retriable = (e: unknown) => (e as { retriable?: unknown }).retriable === true;

describe("Connection failures", () => {
  test("a request that times out closes the connection; those after it fail retriably", async () => {
    const fake = new FakeKafka([1]);
    fake.on(ListGroups, () => never<ListGroupsResponse>()); // a peer gone without a word
    const conn = await connect(fake);
    const first = conn.request(ListGroups, {}, { timeout: 30 });
    const second = conn.request(ListGroups, {});
    await assert.rejects(first, (e) => e instanceof TimeoutError && retriable(e));
    await assert.rejects(
      second,
      (e) => e instanceof ConnectionError && retriable(e) && e.cause instanceof TimeoutError,
    );
    assert.equal(conn.closed, true);
    assert.equal(fake.node(1).sockets[0].closed, true, "the socket is closed");
    const reason = await conn.whenClosed;
    assert.ok(reason.cause instanceof TimeoutError);
    await assert.rejects(conn.request(ListGroups, {}), ConnectionError);
  });

  test("an aborted request leaves the connection open", async () => {
    const fake = new FakeKafka([1]);
    let calls = 0;
    fake.on(
      ListGroups,
      () => ++calls === 1 ? never<ListGroupsResponse>() : defaultListGroupsResponse(),
    );
    const conn = await connect(fake);
    const stop = new AbortController();
    const aborted = conn.request(ListGroups, {}, { signal: stop.signal });
    stop.abort(new Error("stop"));
    await assert.rejects(aborted, /stop/);
    assert.equal(conn.closed, false);
    assert.equal(conn.idle, true, "nothing waits for an answer");
    conn.close();
  });

  test("an answer that does not decode closes the connection; it is a retriable DecodeError", async () => {
    const fake = new FakeKafka([1]);
    let calls = 0;
    let release = () => {};
    fake.on(ListGroups, () => {
      if (++calls === 1) return new RawBody(new Uint8Array([1, 2]));
      return new Promise((r) => release = () => r(defaultListGroupsResponse()));
    });
    const conn = await connect(fake);
    const bad = conn.request(ListGroups, {});
    const next = conn.request(ListGroups, {});
    await assert.rejects(
      bad,
      (e) =>
        e instanceof DecodeError && retriable(e) && /ListGroups v\d+ response from/.test(e.message),
    );
    await assert.rejects(
      next,
      (e) => e instanceof ConnectionError && e.cause instanceof DecodeError,
    );
    assert.equal(conn.closed, true);
    release();
  });

  test("the handshake's probe may not decode: ApiVersions v0 on the same connection", async () => {
    const fake = new FakeKafka([1]);
    const answer = fake.handler(ApiVersions);
    // A broker that speaks only ApiVersions v0 answers newer asks in a form they cannot read.
    fake.on(
      ApiVersions,
      (req, ctx) => ctx.version > 0 ? new RawBody(new Uint8Array([0])) : answer(req, ctx),
    );
    fake.on(ListGroups, () => defaultListGroupsResponse());
    const conn = await connect(fake);
    assert.deepEqual(fake.requests("ApiVersions").map((r) => r.version), [
      ApiVersions.maxVersion,
      0,
    ]);
    await conn.request(ListGroups, {});
    assert.equal(fake.node(1).sockets.length, 1);
    assert.equal(conn.closed, false);
    conn.close();
  });
});

describe("Connection.connect failures", () => {
  test("an aborted signal dials nothing and rejects with an AbortError", async () => {
    let dials = 0;
    const reason = new Error("gave up");
    await assert.rejects(
      Connection.connect({
        host: "broker1",
        port: 9092,
        connect: () => (dials++, Promise.reject(new Error("dialed"))),
        signal: AbortSignal.abort(reason),
      }),
      (e: unknown) => e instanceof AbortError && e.cause === reason,
    );
    assert.equal(dials, 0);
  });

  test("a refused dial is a ConnectionError naming the address; a bad port a RangeError", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).state = "dead";
    await assert.rejects(
      Connection.connect({ host: "broker1", port: 9092, connect: fake.connect }),
      (e: unknown) => e instanceof ConnectionError && e.address === "broker1:9092",
    );
    for (const port of [0, 65536, 1.5]) {
      await assert.rejects(
        Connection.connect({ host: "h", port, connect: fake.connect }),
        (e: unknown) => e instanceof RangeError && /port must be 1–65535/.test(e.message),
      );
    }
  });

  test("a failure no retry can fix (no socket API) is not made a ConnectionError", async () => {
    const noSockets = new KafkitError("this runtime has no TCP socket API kafkit can use");
    await assert.rejects(
      Connection.connect({ host: "h", port: 1, connect: () => Promise.reject(noSockets) }),
      (e: unknown) => e === noSockets,
    );
  });

  test("a request that times out is a TimeoutError naming the broker and the time limit", async () => {
    const fake = new FakeKafka([1]);
    fake.on(ListGroups, () => never<ListGroupsResponse>());
    const conn = await connect(fake);
    try {
      await assert.rejects(
        conn.request(ListGroups, {}, { timeout: 20 }),
        (e: unknown) =>
          e instanceof TimeoutError && e.address === "broker1:9092" && e.timeoutMs === 20,
      );
    } finally {
      conn.close();
    }
  });
});
