import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Cluster } from "../../../src/cluster/cluster.ts";
import { ConnectionError, DecodeError, TimeoutError } from "../../../src/errors.ts";
import {
  defaultListGroupsResponse,
  ListGroups,
  type ListGroupsResponse,
} from "../../../src/protocol/generated/list_groups.ts";
import { defaultHeartbeatResponse, Heartbeat } from "../../../src/protocol/generated/heartbeat.ts";
import { JoinGroup, type JoinGroupResponse } from "../../../src/protocol/generated/join_group.ts";
import {
  FindCoordinator,
  type FindCoordinatorResponse,
} from "../../../src/protocol/generated/find_coordinator.ts";
import { FakeKafka, never, RawBody, withCluster } from "../_fake_broker.ts";

const fast = { backoffMin: 1, backoffMax: 5 };

/** Broker 1, answering ListGroups except the calls numbered in `stuck` (from 1). */
function oneBroker(stuck: number[]): FakeKafka {
  const fake = new FakeKafka([1]);
  let calls = 0;
  fake.on(ListGroups, () => {
    calls++;
    return stuck.includes(calls) ? never<ListGroupsResponse>() : defaultListGroupsResponse();
  });
  return fake;
}

/** Straight to broker 1 (once the cluster knows it from metadata). */
const route = { to: "node", nodeId: 1 } as const;

describe("Cluster failures and lanes", () => {
  test("a request stuck on the fetch lane does not delay one on the group lane", async () => {
    const fake = oneBroker([1]);
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      const stuck = cluster.request(ListGroups, {}, { route, lane: "fetch", attempts: 1 });
      let stuckSettled = false;
      stuck.then(() => stuckSettled = true, () => stuckSettled = true);
      // Bounded, so a shared connection fails the test instead of hanging it.
      await cluster.request(ListGroups, {}, { route, lane: "group", timeout: 10_000, attempts: 1 });
      assert.equal(stuckSettled, false);
      const [a, b] = fake.requests("ListGroups");
      assert.notEqual(a.connection, b.connection, "each lane has its own connection");
      await cluster.close();
      await assert.rejects(stuck, ConnectionError);
    });
  });

  test("one group's JoinGroup held by the coordinator does not delay another group's heartbeat", async () => {
    const fake = new FakeKafka([1]);
    fake.coordinators.set("group/a", 1);
    fake.coordinators.set("group/b", 1);
    fake.on(JoinGroup, () => never<JoinGroupResponse>()); // a rebalance waiting for members
    fake.on(Heartbeat, () => defaultHeartbeatResponse());
    await withCluster(fake, async (cluster) => {
      const join = cluster.request(JoinGroup, { groupId: "a" }, {
        key: "a",
        lane: "group",
        attempts: 1,
      });
      join.catch(() => {});
      // Bounded, so a shared connection fails the test instead of hanging it.
      await cluster.request(Heartbeat, { groupId: "b" }, {
        key: "b",
        lane: "group",
        timeout: 10_000,
        attempts: 1,
      });
      const [joinSeen] = fake.requests("JoinGroup");
      const [beatSeen] = fake.requests("Heartbeat");
      assert.notEqual(joinSeen.connection, beatSeen.connection, "a group lane per group id");
      await cluster.close();
      await assert.rejects(join, ConnectionError);
    });
  });

  test("callers that find a pooled connection closed share one redial", async () => {
    const fake = oneBroker([]);
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      const first = await cluster.connection(1);
      const dialed = fake.node(1).sockets.length;
      first.close();
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => cluster.connection(1)));
      assert.equal(a, b);
      assert.equal(b, c);
      assert.equal(a.closed, false);
      assert.equal(fake.node(1).sockets.length, dialed + 1, "one new socket");
    });
  });

  test("a FindCoordinator that times out closes its connection; the next lookup redials", async () => {
    const fake = new FakeKafka([1]);
    fake.coordinators.set("group/g", 1);
    fake.on(Heartbeat, () => defaultHeartbeatResponse());
    let lookups = 0;
    const answer = fake.handler(FindCoordinator);
    fake.on(FindCoordinator, (req, ctx) => {
      // The first lookup is held, as by a half-open connection.
      if (++lookups === 1) return never<FindCoordinatorResponse>();
      return answer(req, ctx);
    });
    await withCluster(fake, async (cluster) => {
      await cluster.request(Heartbeat, { groupId: "g" }, { key: "g", lane: "group", ...fast });
      const [held, asked] = fake.requests("FindCoordinator");
      assert.notEqual(held.connection, asked.connection, "asked again on a new connection");
    }, { requestTimeout: 50 });
  });

  test("a lookup that timed out on one broker is asked of another one next", async () => {
    const fake = new FakeKafka([1, 2]);
    fake.coordinators.set("group/g", 2);
    fake.on(Heartbeat, () => defaultHeartbeatResponse());
    fake.on(ListGroups, () => never<ListGroupsResponse>());
    let lookups = 0;
    const answer = fake.handler(FindCoordinator);
    fake.on(FindCoordinator, (req, ctx) => {
      if (++lookups === 1) return never<FindCoordinatorResponse>();
      return answer(req, ctx);
    });
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      // Broker 1 has a busy connection, so lookups prefer it (and it outlives the timeout).
      const busy = cluster.request(ListGroups, {}, {
        route: { to: "node", nodeId: 1 },
        lane: "fetch",
        timeout: 10_000,
        attempts: 1,
      });
      busy.catch(() => {});
      await cluster.request(Heartbeat, { groupId: "g" }, { key: "g", lane: "group", ...fast });
      const [held, asked] = fake.requests("FindCoordinator");
      assert.equal(held.nodeId, 1);
      assert.equal(asked.nodeId, 2, "the broker that timed out is avoided for a while");
    }, { requestTimeout: 50 });
  });

  test("a request that times out drops its connection; the retry redials", async () => {
    const fake = oneBroker([1]);
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      const errors: unknown[] = [];
      await cluster.request(ListGroups, {}, {
        route,
        timeout: 20,
        onRetry: (e) => errors.push(e),
        ...fast,
      });
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof TimeoutError);
      const [first, second] = fake.requests("ListGroups");
      assert.notEqual(first.connection, second.connection);
      assert.equal(fake.node(1).sockets[first.connection].closed, true);
      assert.equal(fake.node(1).sockets[second.connection].closed, false);
    });
  });

  test("a timeout closes its connection and the broker's idle ones, not busy ones", async () => {
    // Call 1 (fetch lane) is held for a while, call 3 (default lane) never answered.
    const fake = new FakeKafka([1]);
    let calls = 0;
    let release = () => {};
    fake.on(ListGroups, () => {
      calls++;
      if (calls === 1) return new Promise((r) => release = () => r(defaultListGroupsResponse()));
      return calls === 3 ? never<ListGroupsResponse>() : defaultListGroupsResponse();
    });
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      const busy = cluster.request(ListGroups, {}, { route, lane: "fetch", attempts: 1 });
      await cluster.request(ListGroups, {}, { route, lane: "group", attempts: 1 });
      await assert.rejects(
        cluster.request(ListGroups, {}, { route, timeout: 20, attempts: 1 }),
        TimeoutError,
      );
      const [fetchLane, groupLane, defaultLane] = fake.requests("ListGroups");
      const sockets = fake.node(1).sockets;
      assert.equal(sockets[defaultLane.connection].closed, true, "the one that timed out");
      assert.equal(sockets[groupLane.connection].closed, true, "idle: suspect, redialed");
      assert.equal(sockets[fetchLane.connection].closed, false, "busy: left to answer");
      release();
      await busy;
      await cluster.request(ListGroups, {}, { route, lane: "fetch" });
      assert.equal(fake.requests("ListGroups")[3].connection, fetchLane.connection);
    });
  });

  test("a timeout with no attempts left is the TimeoutError", async () => {
    const fake = oneBroker([1]);
    await withCluster(fake, async (cluster) => {
      await assert.rejects(
        cluster.request(ListGroups, {}, { timeout: 20, attempts: 1 }),
        TimeoutError,
      );
      assert.equal(fake.node(1).sockets.at(-1)!.closed, true);
      // The next request dials again and is answered.
      await cluster.request(ListGroups, {});
      assert.equal(fake.requests("ListGroups").length, 2);
    });
  });

  test("an answer that cannot be decoded closes its connection and is asked again on a new one", async () => {
    const fake = new FakeKafka([1]);
    let calls = 0;
    fake.on(
      ListGroups,
      () => ++calls === 1 ? new RawBody(new Uint8Array([0])) : defaultListGroupsResponse(),
    );
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      const errors: unknown[] = [];
      await cluster.request(ListGroups, {}, { route, onRetry: (e) => errors.push(e), ...fast });
      assert.equal(errors.length, 1);
      assert.ok(errors[0] instanceof DecodeError && errors[0].retriable, String(errors[0]));
      const [bad, good] = fake.requests("ListGroups");
      assert.notEqual(bad.connection, good.connection);
      assert.equal(fake.node(1).sockets[bad.connection].closed, true);
    });
  });

  test("an undecodable answer with no attempts left is the DecodeError, retriable", async () => {
    const fake = new FakeKafka([1]);
    fake.on(ListGroups, () => new RawBody(new Uint8Array([0])));
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      await assert.rejects(
        cluster.request(ListGroups, {}, { route, attempts: 1 }),
        (e: unknown) => e instanceof DecodeError && e.retriable && /ListGroups/.test(e.message),
      );
    });
  });

  test("a dead bootstrap broker is skipped", async () => {
    const fake = new FakeKafka([1, 2]);
    fake.node(1).state = "dead";
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      assert.deepEqual(cluster.brokers.map((b) => b.nodeId).sort(), [1, 2]);
      assert.deepEqual(fake.requests("Metadata").map((r) => r.nodeId), [2]);
    });
  });

  test("a silent bootstrap broker is given up after connectTimeout", async () => {
    const fake = new FakeKafka([1, 2]);
    fake.node(1).state = "silent";
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      assert.deepEqual(fake.requests("Metadata").map((r) => r.nodeId), [2]);
      assert.equal(fake.node(1).sockets.length, 1);
      assert.equal(fake.node(1).sockets[0].closed, true);
    }, { connectTimeout: 20 });
  });

  test("when every broker is dead, the request fails with a ConnectionError", async () => {
    const fake = new FakeKafka([1, 2]);
    fake.node(1).state = "dead";
    fake.node(2).state = "dead";
    await withCluster(fake, async (cluster) => {
      await assert.rejects(
        cluster.request(ListGroups, {}, { attempts: 2, ...fast }),
        (e: unknown) => e instanceof ConnectionError && /ECONNREFUSED/.test(e.message),
      );
    });
  });

  test("a broker that dies is redialed once it is back", async () => {
    const fake = oneBroker([]);
    await withCluster(fake, async (cluster) => {
      await cluster.refresh();
      await cluster.request(ListGroups, {}, { route });
      fake.node(1).state = "dead";
      for (const s of fake.node(1).sockets) s.close();
      await assert.rejects(
        cluster.request(ListGroups, {}, { route, attempts: 2, ...fast }),
        ConnectionError,
      );
      fake.node(1).state = "up";
      await cluster.request(ListGroups, {}, { route });
      assert.equal(fake.requests("ListGroups").length, 2);
    });
  });

  test("closing the cluster fails a pending request without retrying it", async () => {
    const fake = oneBroker([1]);
    const cluster = new Cluster({ brokers: fake.brokers, connect: fake.connect });
    const retries: unknown[] = [];
    const pending = cluster.request(ListGroups, {}, { onRetry: (e) => retries.push(e) });
    while (fake.requests("ListGroups").length === 0) await new Promise((r) => setTimeout(r, 1));
    await cluster.close();
    await assert.rejects(pending, ConnectionError);
    assert.deepEqual(retries, []);
    await assert.rejects(cluster.request(ListGroups, {}), /closed/);
  });

  test("an aborted signal ends a wait for a connection", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).state = "silent";
    await withCluster(fake, async (cluster) => {
      const controller = new AbortController();
      const pending = cluster.request(ListGroups, {}, { signal: controller.signal });
      while (fake.node(1).sockets.length === 0) await new Promise((r) => setTimeout(r, 1));
      controller.abort(new Error("stop"));
      await assert.rejects(pending, /stop/);
    });
  });

  test("close() abandons a dial in progress", async () => {
    const fake = new FakeKafka([1]);
    fake.node(1).state = "silent";
    // The handshake would wait for hours: only close() can end it.
    const cluster = new Cluster({
      brokers: fake.brokers,
      connect: fake.connect,
      connectTimeout: 100_000_000,
    });
    const dialing = cluster.anyConnection();
    while (fake.node(1).sockets.length === 0) await new Promise((r) => setTimeout(r, 1));
    await cluster.close();
    await assert.rejects(
      dialing,
      (e: unknown) => e instanceof ConnectionError && /closed/.test(e.message),
    );
    assert.equal(fake.node(1).sockets[0].closed, true);
  });

  test("an aborted signal ends a pending request", async () => {
    const fake = oneBroker([1]);
    await withCluster(fake, async (cluster) => {
      const controller = new AbortController();
      const pending = cluster.request(ListGroups, {}, { signal: controller.signal });
      while (fake.requests("ListGroups").length === 0) {
        await new Promise((r) => setTimeout(r, 1));
      }
      controller.abort(new Error("stop"));
      await assert.rejects(pending, /stop/);
      assert.equal(fake.requests("ListGroups").length, 1);
    });
  });
});
