import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseBrokers, positiveInt, rejectUnknownOptions } from "../../src/config.ts";

describe("parseBrokers", () => {
  test("comma-separated strings and arrays give one address each", () => {
    assert.deepEqual(parseBrokers("a:1,b:2"), ["a:1", "b:2"]);
    assert.deepEqual(parseBrokers(["a:1", " b:2 , c:3", ""]), ["a:1", "b:2", "c:3"]);
    assert.deepEqual(parseBrokers("[::1]:9092"), ["[::1]:9092"]);
  });

  test("bad values are TypeErrors naming the field", () => {
    const cases: [unknown, RegExp][] = [
      ["a", /^TypeError: bootstrap: invalid broker address "a": expected host:port$/],
      ["a:1,b", /invalid broker address "b"/],
      [":9092", /invalid broker address ":9092"/],
      ["", /bootstrap must list at least one/],
      [[], /bootstrap must list at least one/],
      [" , ", /bootstrap must list at least one/],
      [42, /bootstrap must be host:port strings, got 42/],
      [["a:1", 2], /bootstrap must be host:port strings, got an array/],
      [undefined, /bootstrap must be host:port strings/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => parseBrokers(value, "bootstrap"), (e: unknown) => {
        assert.ok(e instanceof TypeError, String(e));
        assert.match(String(e), message);
        return true;
      });
    }
    assert.throws(() => parseBrokers("x"), /^TypeError: brokers: /);
  });

  test("a port outside 1-65535 is a RangeError naming the field and the address", () => {
    for (const address of ["a:0", "a:65536", "a:-1", "[::1]:70000"]) {
      assert.throws(() => parseBrokers(address, "bootstrap"), (e: unknown) => {
        assert.ok(e instanceof RangeError, String(e));
        assert.match(
          String(e),
          new RegExp(
            `^RangeError: bootstrap: broker address "${
              address.replace(/[[\]]/g, "\\$&")
            }": port must be 1–65535`,
          ),
        );
        return true;
      });
    }
    assert.deepEqual(parseBrokers("a:1,b:65535"), ["a:1", "b:65535"]);
  });
});

describe("rejectUnknownOptions", () => {
  const known = new Set(["batchTimeout", "batchSize", "brokers"]);

  test("known names pass", () => {
    rejectUnknownOptions("Writer", { batchSize: 1, brokers: "a:1" }, known);
    rejectUnknownOptions("Writer", {}, known);
  });

  test("a misspelt name is a TypeError naming it and the nearest known one", () => {
    assert.throws(
      () => rejectUnknownOptions("Writer", { brokers: "a:1", batchTimout: 5 }, known),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message === 'Writer: unknown option "batchTimout" (did you mean "batchTimeout"?)',
    );
    assert.throws(
      () => rejectUnknownOptions("Writer", { BatchSize: 5 }, known),
      /unknown option "BatchSize" \(did you mean "batchSize"\?\)/,
    );
  });

  test("a name far from every known one gets no suggestion", () => {
    assert.throws(
      () => rejectUnknownOptions("Reader", { compression: "gzip" }, known),
      (e: unknown) =>
        e instanceof TypeError && e.message === 'Reader: unknown option "compression"',
    );
  });
});

describe("positiveInt", () => {
  test("the fallback when undefined, a RangeError naming the option otherwise", () => {
    assert.equal(positiveInt("batchSize", undefined, 100), 100);
    assert.equal(positiveInt("batchSize", 3, 100), 3);
    assert.equal(positiveInt("retries", 0, 1, 0), 0);
    assert.throws(
      () => positiveInt("batchSize", 0, 100),
      /^RangeError: batchSize must be an integer >= 1, got 0$/,
    );
    assert.throws(() => positiveInt("batchSize", 1.5, 100), RangeError);
  });
});

describe("unknown options on the low-level configs", () => {
  test("Cluster and Dialer name a misspelt option", async () => {
    const { Cluster } = await import("../../src/cluster/cluster.ts");
    const { Dialer, dial } = await import("../../src/dialer.ts");
    assert.throws(
      // @ts-expect-error: the typo is the point
      () => new Cluster({ brokers: "a:1", idleTimout: 5 }),
      (e: unknown) =>
        e instanceof TypeError && /ClusterOptions: unknown option "idleTimout"/.test(e.message) &&
        /did you mean "idleTimeout"/.test(e.message),
    );
    assert.throws(
      // @ts-expect-error: the typo is the point
      () => new Dialer({ connectTimout: 5 }),
      /DialerOptions: unknown option "connectTimout" \(did you mean "connectTimeout"\?\)/,
    );
    // dial() takes the Dialer's options plus the call's signal; a typo still fails.
    await assert.rejects(
      // @ts-expect-error: the typo is the point
      async () => await dial("a:1", { clientID: "x" }),
      /unknown option "clientID" \(did you mean "clientId"\?\)/,
    );
  });
});
