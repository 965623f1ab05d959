// A ShareReader (KIP-932) between the real broker and a fault proxy: connections that go
// silent (black-holed: no byte, no FIN, no RST), no broker left to reach, and one ShareFetch
// answer that does not decode. Each failure reaches onError as it happens; reading goes on
// over new connections or rejects once nothing can be reached; close() stays bounded; the
// records the member held when it was cut off come back to the group, none lost.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  DecodeError,
  KafkaError,
  ShareAcknowledgementsLostError,
  ShareReader,
  type ShareReaderConfig,
  type ShareRecord,
  Writer,
} from "../../mod.ts";
import { Cluster } from "../../src/core.ts";
import { ShareAcknowledge } from "../../src/protocol/generated/share_acknowledge.ts";
import { ShareFetch } from "../../src/protocol/generated/share_fetch.ts";
import { RUNTIME } from "../_env.ts";
import { FaultProxy } from "../_fault_proxy.ts";
import { brokers, sharedTopic, text } from "./_share_group.ts";

/** The request timeout of every reader under test, in ms. */
const T = 2_000;
/** The longest a ShareFetch waits on the broker, in ms. */
const MAX_WAIT = 200;
/** How long a failure may take to reach onError: one ShareFetch's time, plus slack. */
const NOTICE = T + MAX_WAIT + 1_000;
/** The shortest acquisition lock the harness allows (group.share.min.record.lock.duration.ms). */
const LOCK = { "share.record.lock.duration.ms": "1000" };

/** An error onError heard, and when. */
interface Heard {
  at: number;
  error: Error;
}

/** What a test runs with. */
interface Setup {
  reader: ShareReader;
  proxy: FaultProxy;
  /** What onError heard, in order. */
  heard: Heard[];
  topic: string;
  groupId: string;
}

/**
 * Runs `body` with a reader of a new one-partition topic of `count` records (a 1 s lock),
 * every connection of it through a new fault proxy; closes both after.
 */
async function withReader(
  count: number,
  config: Partial<ShareReaderConfig>,
  body: (setup: Setup) => Promise<void>,
): Promise<void> {
  const { topic, groupId } = await sharedTopic(count, 1, LOCK);
  const proxy = new FaultProxy();
  const heard: Heard[] = [];
  const reader = new ShareReader({
    brokers: brokers(),
    groupId,
    topics: [topic],
    connect: proxy.connect,
    requestTimeout: T,
    maxWait: MAX_WAIT,
    onError: (error) => heard.push({ at: Date.now(), error: error as Error }),
    ...config,
  });
  try {
    await body({ reader, proxy, heard, topic, groupId });
  } finally {
    await reader.close();
    await proxy.close();
  }
}

/** Explicit acknowledgement: only what `acknowledge` says counts. */
const EXPLICIT = { acknowledgement: "explicit" } as const;

/** The next `n` records (rejects if they take longer than `ms`). */
async function read(reader: ShareReader, n: number, ms = 15_000): Promise<ShareRecord[]> {
  const signal = AbortSignal.timeout(ms);
  const got: ShareRecord[] = [];
  while (got.length < n) got.push(await reader.readMessage({ signal }));
  return got;
}

/** Asserts that nothing more is delivered within `ms`. */
async function nothingMore(reader: ShareReader, ms = 1_500): Promise<void> {
  await assert.rejects(
    reader.readMessage({ signal: AbortSignal.timeout(ms) }),
    (e: unknown) => (e as Error).name === "AbortError",
    "nothing else is delivered",
  );
}

/** Closes `reader` and asserts it took at most `bound` ms. */
async function closeWithin(reader: ShareReader, bound: number): Promise<void> {
  const started = Date.now();
  await reader.close();
  const took = Date.now() - started;
  assert.ok(took <= bound, `close() took ${took} ms, more than ${bound} ms`);
}

/** The error the broker answers for a share session it does not know. */
const SESSION_NOT_FOUND = "SHARE_SESSION_NOT_FOUND";

/** Whether `e` is a KafkaError SHARE_SESSION_NOT_FOUND. */
const sessionNotFound = (e: unknown) =>
  e instanceof KafkaError && e.errorName === SESSION_NOT_FOUND;

/**
 * Whether `e` reports the acknowledgements of `records` records lost with their session,
 * ended by the broker (or, with `closed`, by their connection closing under them).
 */
const lostWithSession = (e: unknown, records: number, closed = false) =>
  e instanceof ShareAcknowledgementsLostError && e.records === records &&
  (sessionNotFound(e.cause) || closed && (e.cause as Error).name === "ConnectionError");

/**
 * Ends `memberId`'s share session on the broker from another connection, as an eviction
 * does: a final ShareAcknowledge (epoch -1) closes the session and releases its records.
 */
async function endSessionOf(memberId: string, groupId: string, topic: string): Promise<void> {
  const other = new Cluster({ brokers: brokers() });
  try {
    const { nodeId } = await other.leader(topic, 0);
    const res = await other.request(ShareAcknowledge, {
      groupId,
      memberId,
      shareSessionEpoch: -1,
      topics: [],
    }, { route: { to: "node", nodeId } });
    assert.equal(res.errorCode, 0, "the session was closed");
  } finally {
    await other.close();
  }
}

/** Whether onError heard a ShareFetch answered with SHARE_SESSION_NOT_FOUND. */
const fetchLostSession = (h: Heard) =>
  sessionNotFound(h.error) && h.error.message.includes("ShareFetch");

/** A record as [value, delivery count]. */
const delivery = (m: ShareRecord) => [text(m), m.deliveryCount];

/** Records m0 … m<n-1>, each on its `count`th delivery, as {@linkcode delivery} gives them. */
const deliveries = (n: number, count: number) =>
  Array.from({ length: n }, (_, i) => [`m${i}`, count]);

const names = (heard: Heard[]) => heard.map((h) => `${h.error.name}: ${h.error.message}`);

describe(`ShareReader under faults (${RUNTIME})`, () => {
  test("black-holed connections: onError hears the timeout, reading goes on over new ones, and the records locked meanwhile come back", async () => {
    await withReader(5, EXPLICIT, async ({ reader, proxy, heard }) => {
      const first = await read(reader, 5);
      assert.deepEqual(first.map((m) => m.deliveryCount), [1, 1, 1, 1, 1]);
      // Cut off holding five records it never acknowledged.
      assert.ok(proxy.blackholeAll() >= 1, "the reader had connections open");
      const at = Date.now();
      const again = await read(reader, 5);
      const recovery = Date.now() - at;
      // Their lock (1 s) ran out while the member was cut off: the group delivers them again.
      assert.deepEqual(again.map(delivery), deliveries(5, 2));
      const timedOut = heard.find((h) => h.at >= at && h.error.name === "TimeoutError");
      assert.ok(timedOut, `onError heard a TimeoutError: ${names(heard)}`);
      assert.ok(timedOut.at - at <= NOTICE, `heard after ${timedOut.at - at} ms`);
      assert.ok(recovery <= 2 * T + 1_500, `carried on after ${recovery} ms`);
      console.log(
        `share faults (${RUNTIME}): black-hole heard after ${timedOut.at - at} ms, ` +
          `records back after ${recovery} ms`,
      );
      for (const m of again) reader.acknowledge(m);
      await reader.commit();
      await nothingMore(reader);
      // A heartbeat may still wait on a black-holed connection: at most a request timeout.
      await closeWithin(reader, T + 1_500);
    });
  });

  test("no broker left to reach: reads reject with the last ConnectionError or TimeoutError, and close() is bounded", async () => {
    await withReader(3, {}, async ({ reader, proxy, heard }) => {
      await read(reader, 3);
      assert.ok(proxy.blackholeAll() >= 1);
      await proxy.refuseNew();
      const at = Date.now();
      const failure = await reader.readMessage({ signal: AbortSignal.timeout(30_000) }).then(
        (m) => assert.fail(`read ${text(m)} with no broker to reach`),
        (e: Error) => e,
      );
      const took = Date.now() - at;
      assert.ok(
        failure.name === "ConnectionError" || failure.name === "TimeoutError",
        `rejected with ${failure.name}: ${failure.message}`,
      );
      const first = heard.find((h) => h.at >= at);
      assert.ok(first, "onError heard the failures");
      assert.ok(first.at - at <= NOTICE, `first failure heard after ${first.at - at} ms`);
      assert.ok(took <= 3 * T + 5_000, `rejected after ${took} ms`);
      console.log(`share faults (${RUNTIME}): unreachable, read rejected after ${took} ms`);
      // The same for the next read: no silent wait.
      await assert.rejects(
        reader.readMessage({ signal: AbortSignal.timeout(10_000) }),
        (e: Error) => e.name === "ConnectionError" || e.name === "TimeoutError",
      );
      await closeWithin(reader, 2 * T + 6_000);
    });
  });

  test("a ShareFetch answer that does not decode: onError hears the DecodeError, reading goes on, nothing lost", async () => {
    await withReader(5, {}, async ({ reader, proxy, heard, topic }) => {
      const first = await read(reader, 5);
      {
        await using w = new Writer({ brokers: brokers(), topic });
        await w.writeMessages(Array.from({ length: 5 }, (_, i) => ({ value: `m${5 + i}` })));
      }
      // The next ShareFetch accepts the first five and acquires the next five; its answer is
      // cut short, so the connection is replaced, and with it the share session.
      let corrupted = false;
      void proxy.corruptNextAnswer(ShareFetch.key).then(() => corrupted = true);
      const rest = await read(reader, 5);
      assert.equal(corrupted, true, "one ShareFetch answer was corrupted");
      assert.ok(
        heard.some((h) => h.error instanceof DecodeError && h.error.message.includes("ShareFetch")),
        `onError heard the DecodeError: ${names(heard)}`,
      );
      assert.deepEqual(
        [...first, ...rest].map(text),
        Array.from({ length: 10 }, (_, i) => `m${i}`),
        "every record once, in order",
      );
      // The corrupted ShareFetch carried the first five's acceptance: it may not have applied.
      await assert.rejects(
        reader.commit(),
        (e: unknown) =>
          e instanceof ShareAcknowledgementsLostError && e.records === 5 &&
          e.cause instanceof DecodeError,
      );
      await nothingMore(reader);
    });
  });

  // A share session the broker no longer knows (SHARE_SESSION_NOT_FOUND on the next request):
  // its records went back to the group, and the acknowledgements still held for them cannot
  // be sent. The broker also ends a session when its connection closes.
  describe("the share session lost", () => {
    test("before commit(): commit() rejects naming it, and the records come again", async () => {
      await withReader(5, EXPLICIT, async ({ reader, heard, topic, groupId }) => {
        const first = await read(reader, 5);
        reader.acknowledge(first[0]);
        reader.acknowledge(first[1], "reject");
        reader.acknowledge(first[2], "release");
        await endSessionOf(reader.memberId, groupId, topic);
        await assert.rejects(reader.commit(), (e: unknown) => lostWithSession(e, 3));
        const after = heard.length;
        const again = await read(reader, 5);
        // None of the three acknowledgements applied: the rejected record comes back too.
        assert.deepEqual(again.map(delivery), deliveries(5, 2));
        // commit() ended the session: the next fetch started a new one, no failed round.
        assert.deepEqual(heard.slice(after).filter(fetchLostSession), []);
        for (const m of again) reader.acknowledge(m);
        await reader.commit();
        await nothingMore(reader);
      });
    });

    test("under acknowledgements riding on a ShareFetch: onError names it, the next commit() rejects, the records come again", async () => {
      await withReader(5, EXPLICIT, async ({ reader, heard, topic, groupId }) => {
        const first = await read(reader, 5);
        for (const m of first) reader.acknowledge(m);
        await endSessionOf(reader.memberId, groupId, topic);
        // The next fetch carries the five acceptances to a broker that lost the session.
        const again = await read(reader, 5);
        assert.deepEqual(again.map(text), ["m0", "m1", "m2", "m3", "m4"]);
        assert.ok(heard.some(fetchLostSession), `onError: ${names(heard)}`);
        await assert.rejects(reader.commit(), (e: unknown) => lostWithSession(e, 5));
        for (const m of again) reader.acknowledge(m);
        await reader.commit();
        await nothingMore(reader);
      });
    });

    test("with its connection, and a record acknowledged after that: commit() rejects, and its new delivery is the one that counts", async () => {
      await withReader(3, EXPLICIT, async ({ reader, proxy }) => {
        const first = await read(reader, 3);
        assert.ok(proxy.dropAll() >= 1);
        const again = await read(reader, 3);
        assert.deepEqual(again.map(text), ["m0", "m1", "m2"]);
        // Too late for the first deliveries: their session is gone.
        for (const m of first) reader.acknowledge(m, "reject");
        await assert.rejects(reader.commit(), (e: unknown) => lostWithSession(e, 3, true));
        // The rejections went nowhere: accepting the new deliveries is what applies.
        for (const m of again) reader.acknowledge(m);
        await reader.commit();
        await nothingMore(reader);
      });
    });
  });
});
