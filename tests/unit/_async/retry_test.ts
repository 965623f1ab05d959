import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, isRetriable, retry } from "../../../src/_async/retry.ts";
import { AbortError, ConnectionError, DecodeError, TimeoutError } from "../../../src/errors.ts";
import { ErrorCodes, KafkaError } from "../../../src/protocol/errors.ts";

const retriable = () => new ConnectionError("broker went away");

describe("retry", () => {
  test("returns the first success, passing the attempt number", async () => {
    const seen: number[] = [];
    const value = await retry((attempt) => {
      seen.push(attempt);
      return attempt < 3 ? Promise.reject(retriable()) : Promise.resolve("ok");
    }, { backoffMin: 1, backoffMax: 2 });
    assert.equal(value, "ok");
    assert.deepEqual(seen, [1, 2, 3]);
  });

  test("stops after the attempt budget and throws the last failure", async () => {
    let calls = 0;
    const retries: number[] = [];
    await assert.rejects(
      retry(() => Promise.reject(new ConnectionError(`failure ${++calls}`)), {
        attempts: 4,
        backoffMin: 1,
        backoffMax: 2,
        onRetry: (_e, attempt) => retries.push(attempt),
      }),
      /failure 4/,
    );
    assert.equal(calls, 4);
    assert.deepEqual(retries, [1, 2, 3]);
  });

  test("until: the last wait is cut short to end there, one last attempt is made, then timeUp's error", async () => {
    const started = Date.now();
    const times: number[] = [];
    const last = new ConnectionError("still down");
    const err = await retry(() => {
      times.push(Date.now() - started);
      return Promise.reject(last);
    }, {
      attempts: Infinity,
      backoffMin: 100,
      backoffMax: 100,
      until: started + 250,
      timeUp: (e) => new TimeoutError("time is up", { cause: e }),
    }).then(() => undefined, (e) => e);
    const took = Date.now() - started;
    assert.ok(err instanceof TimeoutError && err.message === "time is up", `got ${err}`);
    assert.equal(err.cause, last);
    // Never gives up early: the whole time is used, and no attempt starts after it.
    assert.ok(took >= 245 && took < 400, `gave up after ${took} ms`);
    assert.ok(times.at(-1)! >= 245, `last attempt at ${times.at(-1)} ms`);
    assert.ok(times.length >= 3);
  });

  test("until without timeUp throws the last failure", async () => {
    const last = new ConnectionError("still down");
    await assert.rejects(
      retry(() => Promise.reject(last), {
        attempts: Infinity,
        backoffMin: 5,
        until: Date.now() + 30,
      }),
      (e) => e === last,
    );
  });

  test("attempts: 1 runs once", async () => {
    let calls = 0;
    await assert.rejects(retry(() => (calls++, Promise.reject(retriable())), { attempts: 1 }));
    assert.equal(calls, 1);
  });

  test("a failure that is not retriable is thrown at once", async () => {
    let calls = 0;
    const bad = new KafkaError(ErrorCodes.TOPIC_AUTHORIZATION_FAILED);
    await assert.rejects(retry(() => (calls++, Promise.reject(bad))), (e) => e === bad);
    assert.equal(calls, 1);
  });

  test("a custom isRetriable decides, with the attempt number", async () => {
    const asked: number[] = [];
    await assert.rejects(
      retry(() => Promise.reject(new TypeError("x")), {
        backoffMin: 1,
        isRetriable: (_e, attempt) => (asked.push(attempt), attempt < 2),
      }),
      TypeError,
    );
    assert.deepEqual(asked, [1, 2]);
  });

  test("an abort ends a backoff wait with an AbortError caused by the signal's reason", async () => {
    const controller = new AbortController();
    let calls = 0;
    const stop = new Error("stop");
    // The wait would last hours: only the abort can end it.
    await assert.rejects(
      retry(() => (calls++, Promise.reject(retriable())), {
        backoffMin: 100_000_000,
        backoffMax: 100_000_000,
        signal: controller.signal,
        onRetry: () => queueMicrotask(() => controller.abort(stop)),
      }),
      (e) => e instanceof AbortError && e.name === "AbortError" && e.cause === stop,
    );
    assert.equal(calls, 1);
  });

  test("an aborted signal runs nothing; a failure after an abort is not retried", async () => {
    let calls = 0;
    await assert.rejects(
      retry(() => (calls++, Promise.resolve(1)), { signal: AbortSignal.abort(new Error("gone")) }),
      /gone/,
    );
    assert.equal(calls, 0);
    const controller = new AbortController();
    await assert.rejects(
      retry(() => {
        calls++;
        controller.abort();
        return Promise.reject(retriable());
      }, { signal: controller.signal }),
      ConnectionError,
    );
    assert.equal(calls, 1);
  });
});

describe("backoffDelay with a minimum of 0", () => {
  test("still waits between retries (from 1 ms, growing), never 0 for every attempt", () => {
    const orig = Math.random;
    Math.random = () => 0.999;
    try {
      assert.ok(backoffDelay(1, { backoffMin: 0, backoffMax: 1000 }) > 0);
      assert.ok(backoffDelay(5, { backoffMin: 0, backoffMax: 1000 }) > 10);
    } finally {
      Math.random = orig;
    }
  });
});

describe("backoffDelay", () => {
  test("full jitter below min * 2^(attempt-1), capped at max, never under min / 10", () => {
    const random = Math.random;
    try {
      Math.random = () => 0;
      assert.equal(backoffDelay(1, { backoffMin: 100, backoffMax: 1000 }), 10);
      Math.random = () => 0.999999;
      const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 0.01, `${a} vs ${b}`);
      near(backoffDelay(1, { backoffMin: 100, backoffMax: 1000 }), 100);
      near(backoffDelay(2, { backoffMin: 100, backoffMax: 1000 }), 200);
      near(backoffDelay(4, { backoffMin: 100, backoffMax: 1000 }), 800);
      near(backoffDelay(5, { backoffMin: 100, backoffMax: 1000 }), 1000);
      near(backoffDelay(60, { backoffMin: 100, backoffMax: 1000 }), 1000);
      near(backoffDelay(1), 100); // defaults 100 / 1000
      near(backoffDelay(9), 1000);
    } finally {
      Math.random = random;
    }
    for (let attempt = 1; attempt <= 12; attempt++) {
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(attempt, { backoffMin: 50, backoffMax: 700 });
        assert.ok(
          d >= 5 && d <= Math.min(700, 50 * 2 ** (attempt - 1)),
          `attempt ${attempt}: ${d}`,
        );
      }
    }
  });
});

describe("isRetriable", () => {
  test("follows the error's retriable flag", () => {
    assert.equal(isRetriable(new ConnectionError("x")), true);
    assert.equal(isRetriable(new TimeoutError("x")), true);
    assert.equal(isRetriable(new KafkaError(ErrorCodes.NOT_COORDINATOR)), true);
    assert.equal(isRetriable(new KafkaError(ErrorCodes.INVALID_TOPIC_EXCEPTION)), false);
    assert.equal(isRetriable(new DecodeError("x", 0)), false);
    assert.equal(isRetriable(new TypeError("x")), false);
    assert.equal(isRetriable(null), false);
    assert.equal(isRetriable("retriable"), false);
  });
});
