// The broker error-code table against Kafka 4.3.1's `Errors` enum (kafka-clients-4.3.1.jar),
// and the KafkaError built from it.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { KafkitError } from "../../../src/errors.ts";
import {
  ERROR_TABLE,
  errorByCode,
  errorByName,
  ErrorCodes,
  errorForCode,
  isRetriableCode,
  KafkaError,
} from "../../../src/protocol/errors.ts";

/** The highest code Kafka 4.3.1 defines (SHARE_SESSION_LIMIT_REACHED). */
const MAX_CODE = 133;

/** Codes in -1..MAX_CODE that Kafka 4.3.1 leaves unassigned: none. */
const GAPS: readonly number[] = [];

/**
 * Every code whose Java exception extends RetriableException in kafka-clients 4.3.1
 * (found by loading the jar and checking `Errors.X.exception() instanceof RetriableException`).
 */
const RETRIABLE_4_3 = [
  "CORRUPT_MESSAGE",
  "UNKNOWN_TOPIC_OR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_OR_FOLLOWER",
  "REQUEST_TIMED_OUT",
  "REPLICA_NOT_AVAILABLE",
  "NETWORK_EXCEPTION",
  "COORDINATOR_LOAD_IN_PROGRESS",
  "COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR",
  "NOT_ENOUGH_REPLICAS",
  "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
  "NOT_CONTROLLER",
  "CONCURRENT_TRANSACTIONS",
  "KAFKA_STORAGE_ERROR",
  "FETCH_SESSION_ID_NOT_FOUND",
  "INVALID_FETCH_SESSION_EPOCH",
  "LISTENER_NOT_FOUND",
  "FENCED_LEADER_EPOCH",
  "UNKNOWN_LEADER_EPOCH",
  "OFFSET_NOT_AVAILABLE",
  "PREFERRED_LEADER_NOT_AVAILABLE",
  "ELIGIBLE_LEADERS_NOT_AVAILABLE",
  "ELECTION_NOT_NEEDED",
  "UNSTABLE_OFFSET_COMMIT",
  "THROTTLING_QUOTA_EXCEEDED",
  "UNKNOWN_TOPIC_ID",
  "INCONSISTENT_TOPIC_ID",
  "FETCH_SESSION_TOPIC_ID_ERROR",
  "SHARE_SESSION_NOT_FOUND",
  "INVALID_SHARE_SESSION_EPOCH",
  "SHARE_SESSION_LIMIT_REACHED",
];

describe("error-code table", () => {
  test("codes are unique int16 values in ascending order", () => {
    const codes = ERROR_TABLE.map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.ok(Number.isInteger(code) && code >= -32768 && code <= 32767);
    assert.deepEqual(codes, [...codes].sort((a, b) => a - b));
  });

  test("names are unique and upper snake case", () => {
    const names = ERROR_TABLE.map((e) => e.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
  });

  test(`runs from -1 to ${MAX_CODE} with exactly the expected gaps`, () => {
    const codes = new Set(ERROR_TABLE.map((e) => e.code));
    assert.equal(ERROR_TABLE[0].code, -1);
    assert.equal(ERROR_TABLE.at(-1)?.code, MAX_CODE);
    const missing: number[] = [];
    for (let c = -1; c <= MAX_CODE; c++) if (!codes.has(c)) missing.push(c);
    assert.deepEqual(missing, GAPS);
    assert.equal(ERROR_TABLE.length, MAX_CODE + 2 - GAPS.length); // 135
  });

  test("descriptions are one non-empty sentence", () => {
    for (const e of ERROR_TABLE) {
      assert.match(e.description, /^[A-Z].*\.$/, e.name);
      assert.ok(e.description.length <= 100, e.name);
    }
  });

  test("well-known codes have Kafka's names", () => {
    const expected: [number, string][] = [
      [-1, "UNKNOWN_SERVER_ERROR"],
      [0, "NONE"],
      [1, "OFFSET_OUT_OF_RANGE"],
      [3, "UNKNOWN_TOPIC_OR_PARTITION"],
      [6, "NOT_LEADER_OR_FOLLOWER"],
      [16, "NOT_COORDINATOR"],
      [27, "REBALANCE_IN_PROGRESS"],
      [35, "UNSUPPORTED_VERSION"],
      [47, "INVALID_PRODUCER_EPOCH"],
      [74, "FENCED_LEADER_EPOCH"],
      [90, "PRODUCER_FENCED"],
      [100, "UNKNOWN_TOPIC_ID"],
      [110, "FENCED_MEMBER_EPOCH"],
      [113, "STALE_MEMBER_EPOCH"],
      [120, "TRANSACTION_ABORTABLE"],
      [128, "INVALID_REGULAR_EXPRESSION"],
      [129, "REBOOTSTRAP_REQUIRED"],
      [130, "STREAMS_INVALID_TOPOLOGY"],
      [133, "SHARE_SESSION_LIMIT_REACHED"],
    ];
    for (const [code, name] of expected) {
      assert.equal(errorByCode(code)?.name, name);
      assert.equal(errorByName(name)?.code, code);
      assert.equal(ErrorCodes[name as keyof typeof ErrorCodes], code);
    }
  });

  test("retriable flags match Kafka's classification", () => {
    const spot: [string, boolean][] = [
      ["NOT_LEADER_OR_FOLLOWER", true],
      ["UNKNOWN_TOPIC_OR_PARTITION", true],
      ["LEADER_NOT_AVAILABLE", true],
      ["REQUEST_TIMED_OUT", true],
      ["NOT_COORDINATOR", true],
      ["COORDINATOR_LOAD_IN_PROGRESS", true],
      ["COORDINATOR_NOT_AVAILABLE", true],
      ["FENCED_LEADER_EPOCH", true],
      ["UNKNOWN_LEADER_EPOCH", true],
      ["CORRUPT_MESSAGE", true],
      ["UNKNOWN_TOPIC_ID", true],
      ["NOT_ENOUGH_REPLICAS", true],
      ["NOT_CONTROLLER", true],
      ["CONCURRENT_TRANSACTIONS", true],
      ["REBALANCE_IN_PROGRESS", false],
      ["OFFSET_OUT_OF_RANGE", false],
      ["MESSAGE_TOO_LARGE", false],
      ["TOPIC_AUTHORIZATION_FAILED", false],
      ["UNKNOWN_SERVER_ERROR", false],
      ["NONE", false],
      ["UNKNOWN_PRODUCER_ID", false],
      ["OUT_OF_ORDER_SEQUENCE_NUMBER", false],
      ["ILLEGAL_GENERATION", false],
      ["UNKNOWN_MEMBER_ID", false],
      ["TRANSACTION_ABORTABLE", false],
      ["BROKER_NOT_AVAILABLE", false],
      ["FENCED_MEMBER_EPOCH", false],
      ["STALE_MEMBER_EPOCH", false],
    ];
    for (const [name, retriable] of spot) {
      assert.equal(errorByName(name)?.retriable, retriable, name);
    }
    const all = ERROR_TABLE.filter((e) => e.retriable).map((e) => e.name);
    assert.deepEqual(all, RETRIABLE_4_3);
    assert.equal(isRetriableCode(ErrorCodes.NOT_LEADER_OR_FOLLOWER), true);
    assert.equal(isRetriableCode(ErrorCodes.REBALANCE_IN_PROGRESS), false);
    assert.equal(isRetriableCode(0), false);
    assert.equal(isRetriableCode(9999), false);
  });

  test("ErrorCodes holds every row, and the table is frozen", () => {
    assert.equal(Object.keys(ErrorCodes).length, ERROR_TABLE.length);
    for (const e of ERROR_TABLE) assert.equal(ErrorCodes[e.name], e.code);
    assert.equal(ErrorCodes.NONE, 0);
    assert.equal(ErrorCodes.STALE_MEMBER_EPOCH, 113);
    assert.ok(Object.isFrozen(ERROR_TABLE) && Object.isFrozen(ERROR_TABLE[0]));
    assert.ok(Object.isFrozen(ErrorCodes));
  });

  test("lookups miss cleanly", () => {
    assert.equal(errorByCode(134), undefined);
    assert.equal(errorByCode(-2), undefined);
    assert.equal(errorByName("not_leader_or_follower"), undefined);
    assert.equal(errorByName("NO_SUCH_ERROR"), undefined);
  });
});

describe("KafkaError", () => {
  test("carries code, Kafka name, retriable flag and context", () => {
    const err = new KafkaError(6, { api: "Produce", topic: "t", partition: 0 });
    assert.ok(err instanceof KafkaError);
    assert.ok(err instanceof KafkitError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, "KafkaError");
    assert.equal(err.code, 6);
    assert.equal(err.errorName, "NOT_LEADER_OR_FOLLOWER");
    assert.equal(err.retriable, true);
    assert.equal(err.description, errorByCode(6)?.description);
    assert.equal(
      err.message,
      `NOT_LEADER_OR_FOLLOWER (6): ${err.description} [Produce topic=t partition=0]`,
    );
    assert.deepEqual(err.context, { api: "Produce", topic: "t", partition: 0 });
    assert.ok(Object.isFrozen(err.context));
  });

  test("message without context is name, code and description", () => {
    const err = new KafkaError(ErrorCodes.REBALANCE_IN_PROGRESS);
    assert.equal(err.retriable, false);
    assert.equal(err.message, `REBALANCE_IN_PROGRESS (27): ${err.description}`);
  });

  test("folds every context field and the broker message into the message", () => {
    const err = new KafkaError(ErrorCodes.TRANSACTION_ABORTABLE, {
      api: "AddPartitionsToTxn",
      nodeId: 2,
      topic: "orders",
      topicId: "AAAAAAAAAAAAAAAAAAAAAQ",
      partition: 7,
      groupId: "my group",
      transactionalId: "tx-1",
      brokerMessage: 'bad "state"',
    });
    assert.equal(
      err.message,
      `TRANSACTION_ABORTABLE (120): ${err.description} [AddPartitionsToTxn topic=orders ` +
        `topicId=AAAAAAAAAAAAAAAAAAAAAQ partition=7 groupId="my group" transactionalId=tx-1 ` +
        `nodeId=2] (broker message: "bad \\"state\\"")`,
    );
  });

  test("a null or empty broker message is left out", () => {
    for (const brokerMessage of [null, ""]) {
      const err = new KafkaError(3, { topic: "a", brokerMessage });
      assert.equal(err.message, `UNKNOWN_TOPIC_OR_PARTITION (3): ${err.description} [topic=a]`);
    }
  });

  test("keeps the cause", () => {
    const cause = new Error("root");
    const err = new KafkaError(7, { api: "Fetch" }, { cause });
    assert.equal(err.cause, cause);
    assert.equal(err.retriable, true);
  });

  test("an unknown code is UNKNOWN_CODE_<n> and not retriable", () => {
    const err = new KafkaError(500, { api: "Metadata" });
    assert.equal(err.code, 500);
    assert.equal(err.errorName, "UNKNOWN_CODE_500");
    assert.equal(err.retriable, false);
    assert.match(err.message, /^UNKNOWN_CODE_500 \(500\): .+ \[Metadata\]$/);
    assert.equal(new KafkaError(-7).errorName, "UNKNOWN_CODE_-7");
  });

  test("rejects NONE and values that are not int16 codes", () => {
    for (const code of [0, 1.5, NaN, 32768, -32769, Infinity]) {
      assert.throws(() => new KafkaError(code), RangeError, String(code));
    }
  });
});

describe("errorForCode", () => {
  test("returns undefined for NONE", () => {
    assert.equal(errorForCode(0), undefined);
    assert.equal(errorForCode(ErrorCodes.NONE, { api: "Produce" }), undefined);
  });

  test("builds a KafkaError for known and unknown codes", () => {
    const err = errorForCode(ErrorCodes.UNKNOWN_TOPIC_ID, { api: "Fetch", topicId: "x" });
    assert.ok(err instanceof KafkaError);
    assert.equal(err.errorName, "UNKNOWN_TOPIC_ID");
    assert.equal(err.retriable, true);
    assert.match(err.message, /^UNKNOWN_TOPIC_ID \(100\): .+ \[Fetch topicId=x\]$/);

    const unknown = errorForCode(32000, undefined, { cause: "c" });
    assert.equal(unknown?.errorName, "UNKNOWN_CODE_32000");
    assert.equal(unknown?.retriable, false);
    assert.equal(unknown?.cause, "c");
  });

  test("throws RangeError for a value that is not an int16", () => {
    assert.throws(() => errorForCode(70000), RangeError);
  });
});
