import { describe, test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { abortable, abortError, anySignal, throwIfAborted } from "../../../src/_async/abortable.ts";
import { deadline } from "../../../src/_async/deadline.ts";
import { delay, withinGrace } from "../../../src/_async/delay.ts";
import { Notifier } from "../../../src/_async/notifier.ts";
import { retry } from "../../../src/_async/retry.ts";
import { AbortError, ConnectionError, KafkitError, TimeoutError } from "../../../src/errors.ts";

/** A promise settled by hand. */
function manual<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => [resolve, reject] = [res, rej]);
  return { promise, resolve, reject };
}

/** Runs `fn`, then lets timers run, and returns the unhandled rejections seen meanwhile. */
async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    await fn();
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 1));
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  return seen;
}

describe("deadline", () => {
  test("passes a value or a failure that arrives in time", async () => {
    assert.equal(await deadline(Promise.resolve(7), 10_000), 7);
    await assert.rejects(deadline(Promise.reject(new Error("no")), 10_000), /no/);
  });

  test("a TimeoutError naming the operation and the limit", async () => {
    await assert.rejects(
      deadline(new Promise(() => {}), 5, { what: "connecting to a:1" }),
      (e: unknown) =>
        e instanceof TimeoutError && e.message === "connecting to a:1 timed out after 5 ms",
    );
  });

  test("the signal's reason when it aborts first, or was aborted already", async () => {
    const controller = new AbortController();
    const wait = deadline(new Promise(() => {}), 100_000_000, { signal: controller.signal });
    controller.abort(new Error("stop"));
    await assert.rejects(wait, /stop/);
    await assert.rejects(
      deadline(Promise.resolve(1), 10, { signal: AbortSignal.abort(new Error("early")) }),
      /early/,
    );
  });

  test("a failure after an abort, or with a signal aborted already, is handled", async () => {
    const seen = await unhandledDuring(async () => {
      const early = manual<number>();
      await assert.rejects(
        deadline(early.promise, 10_000, { signal: AbortSignal.abort(new Error("early")) }),
        /early/,
      );
      early.reject(new Error("connect failed later"));
      const late = manual<number>();
      const controller = new AbortController();
      const wait = deadline(late.promise, 10_000, { signal: controller.signal });
      controller.abort(new Error("stop"));
      await assert.rejects(wait, /stop/);
      late.reject(new Error("connect failed later"));
    });
    assert.deepEqual(seen, []);
  });

  test("a value that arrives after the wait ended is disposed of", async () => {
    const late = manual<string>();
    const disposed: string[] = [];
    await assert.rejects(
      deadline(late.promise, 1, { dispose: (v) => disposed.push(v) }),
      TimeoutError,
    );
    late.resolve("socket");
    await late.promise;
    await Promise.resolve();
    assert.deepEqual(disposed, ["socket"]);
  });
});

describe("abortable, anySignal, delay", () => {
  test("abortable ends the wait, not the promise", async () => {
    const work = manual<number>();
    const controller = new AbortController();
    const wait = abortable(work.promise, controller.signal);
    controller.abort(new Error("cancelled"));
    await assert.rejects(wait, /cancelled/);
    work.resolve(3);
    assert.equal(await work.promise, 3);
    assert.equal(await abortable(Promise.resolve(4), undefined), 4);
    assert.equal(await abortable(Promise.resolve(5), new AbortController().signal), 5);
    await assert.rejects(abortable(Promise.resolve(6), AbortSignal.abort(new Error("x"))), /x/);
  });

  test("abortable with an aborted signal leaves no unhandled rejection behind", async () => {
    const seen = await unhandledDuring(async () => {
      const work = manual<number>();
      await assert.rejects(abortable(work.promise, AbortSignal.abort(new Error("x"))), /x/);
      work.reject(new Error("failed later"));
    });
    assert.deepEqual(seen, []);
  });

  test("anySignal: undefined without signals, the signal itself for one, else any", () => {
    assert.equal(anySignal(undefined, undefined), undefined);
    const a = new AbortController();
    assert.equal(anySignal(undefined, a.signal), a.signal);
    const b = new AbortController();
    const both = anySignal(a.signal, b.signal)!;
    assert.equal(both.aborted, false);
    b.abort(new Error("b"));
    assert.equal(both.aborted, true);
    assert.equal((both.reason as Error).message, "b");
  });

  test("delay resolves, or rejects when its signal aborts", async () => {
    await delay(1);
    const controller = new AbortController();
    const wait = delay(100_000_000, { signal: controller.signal });
    controller.abort(new Error("woken"));
    await assert.rejects(wait, /woken/);
    await assert.rejects(delay(1, { signal: AbortSignal.abort(new Error("now")) }), /now/);
  });
});

describe("withinGrace", () => {
  test("true when the work ends in time, false once the grace runs out or its signal aborts", async () => {
    assert.equal(await withinGrace(Promise.resolve(), 1_000), true);
    const never = new Promise<void>(() => {});
    let started = Date.now();
    assert.equal(await withinGrace(never, 50), false);
    assert.ok(Date.now() - started >= 40, "waited for the grace");
    started = Date.now();
    assert.equal(await withinGrace(never, 60_000, AbortSignal.timeout(30)), false);
    assert.ok(Date.now() - started < 1_000, "the signal ended it");
    assert.equal(await withinGrace(Promise.resolve(), 60_000, AbortSignal.abort()), false);
  });

  test("a failure of the work in time is passed on; one after the grace is handled", async () => {
    await assert.rejects(withinGrace(Promise.reject(new RangeError("x")), 1_000), RangeError);
    const late = manual<void>();
    const seen = await unhandledDuring(async () => {
      assert.equal(await withinGrace(late.promise, 10), false);
      late.reject(new Error("after the grace"));
    });
    assert.deepEqual(seen, []);
  });
});

describe("aborts are kafkit errors", () => {
  const isAbortOf = (reason: unknown) => (e: unknown) =>
    e instanceof AbortError && e instanceof KafkitError && e.name === "AbortError" &&
    e.cause === reason && e.retriable === false;

  test("every wait a signal ends rejects with one AbortError caused by its reason", async () => {
    const reason = new Error("user gave up");
    const controller = new AbortController();
    const waits = [
      abortable(new Promise(() => {}), controller.signal),
      deadline(new Promise(() => {}), 100_000_000, { signal: controller.signal }),
      delay(100_000_000, { signal: controller.signal }),
      new Notifier().wait({ signal: controller.signal }),
      retry(() => Promise.reject(new ConnectionError("down")), {
        backoffMin: 100_000_000,
        signal: controller.signal,
      }),
    ];
    setTimeout(() => controller.abort(reason), 5);
    const errors = await Promise.all(waits.map((w) => w.then(() => undefined, (e) => e)));
    for (const e of errors) assert.ok(isAbortOf(reason)(e), String(e));
    assert.equal(new Set(errors).size, 1, "one error for the signal");
    assert.match(errors[0].message, /aborted: user gave up/);
    assert.equal(abortError(controller.signal), errors[0]);
    assert.throws(() => throwIfAborted(controller.signal), isAbortOf(reason));
  });

  test("the platform's reasons (abort(), AbortSignal.timeout) become the cause", async () => {
    const plain = AbortSignal.abort();
    await assert.rejects(delay(10, { signal: plain }), isAbortOf(plain.reason));
    assert.equal((plain.reason as Error).name, "AbortError");
    const timeout = AbortSignal.timeout(1);
    // The platform's timeout timer does not keep a process alive (Node 20): this one does.
    const alive = setTimeout(() => {}, 10_000);
    await assert.rejects(abortable(new Promise(() => {}), timeout), (e: unknown) => {
      assert.ok(isAbortOf(timeout.reason)(e));
      assert.equal(((e as Error).cause as Error).name, "TimeoutError");
      assert.ok(!(e instanceof TimeoutError), "an abort is not kafkit's (retriable) TimeoutError");
      return true;
    });
    clearTimeout(alive);
  });

  test("a reason that is a kafkit error already is thrown as it is", async () => {
    const closed = new ConnectionError("the cluster client is closed");
    await assert.rejects(delay(10, { signal: AbortSignal.abort(closed) }), (e) => e === closed);
    assert.throws(() => abortError(new AbortController().signal), TypeError);
  });

  test("a deadline's TimeoutError names the broker and the time limit", async () => {
    await assert.rejects(
      deadline(new Promise(() => {}), 5, { what: "connecting to a:1", address: "a:1" }),
      (e: unknown) =>
        e instanceof TimeoutError && e.address === "a:1" && e.timeoutMs === 5 &&
        e.message === "connecting to a:1 timed out after 5 ms",
    );
  });
});
