// The transactional Writer against the real broker, under both transaction protocols (v1:
// AddPartitionsToTxn/AddOffsetsToTxn; v2: KIP-890, what Kafka 4.x finalizes): commits and
// aborts as read_committed and read_uncommitted readers (kafkit's and Java's) see them,
// zombie fencing, offsets committed with a transaction, and a Java transactional producer's
// aborted data skipped by kafkit.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  AbortableTransactionError,
  Client,
  dial,
  ProducerFencedError,
  Reader,
  TransactionStateError,
  WriteErrors,
  Writer,
} from "../../mod.ts";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { javaTool } from "../_java.ts";
import { readUntilSentinel } from "../_read_topic.ts";

const brokers = () => kafkaEnv("KAFKA_BROKERS");
const address = () => brokers().split(",")[0];
const unique = (name: string) => `kafkit-txn-${name}-${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
const END = "end-of-test";

async function createTopic(topic: string, partitions = 1): Promise<void> {
  await using conn = await dial(address());
  await conn.createTopics([{ topic, numPartitions: partitions, replicationFactor: 1 }]);
}

/** One partition's values up to the END sentinel, as a reader of `isolationLevel` sees them. */
const readUntilEnd = (
  topic: string,
  isolationLevel: "read_committed" | "read_uncommitted",
  partition = 0,
) => readUntilSentinel(brokers(), topic, isolationLevel, END, partition);

const values = (...vs: string[]) => vs.map((value) => ({ value }));

for (const transactionVersion of [1, 2] as const) {
  describe(`transactional Writer, protocol v${transactionVersion} (${RUNTIME})`, () => {
    const writerOf = (topic: string, transactionalId = `${topic}-tx`) =>
      new Writer({ brokers: brokers(), topic, transactionalId, transactionVersion });

    test("committed and aborted transactions as read_committed and read_uncommitted see them", async () => {
      const topic = unique(`commit-abort-v${transactionVersion}`);
      await createTopic(topic);
      await using w = writerOf(topic);
      await assert.rejects(w.writeMessages(values("outside")), TransactionStateError);
      await w.beginTransaction();
      await w.writeMessages(values("c1", "c2"));
      await w.commitTransaction();
      await w.beginTransaction();
      await w.writeMessages(values("a1", "a2"));
      await w.abortTransaction();
      const boom = new Error("boom");
      await assert.rejects(
        w.transaction(async (tx) => {
          await tx.writeMessages(values("a3"));
          throw boom;
        }),
        (e) => e === boom,
      );
      const result = await w.transaction(async (tx) => {
        await tx.writeMessages(values("c3"));
        return 42;
      });
      assert.equal(result, 42);
      await w.transaction((tx) => tx.writeMessages(values(END)));

      assert.deepEqual(await readUntilEnd(topic, "read_committed"), ["c1", "c2", "c3"]);
      assert.deepEqual(await readUntilEnd(topic, "read_uncommitted"), [
        "c1",
        "c2",
        "a1",
        "a2",
        "a3",
        "c3",
      ]);
      if (transactionVersion === 2) {
        // The Java consumer agrees (one JVM per file: only under the protocol Kafka 4 uses).
        const out = await javaTool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
          "--bootstrap-server",
          brokers(),
          "--topic",
          topic,
          "--from-beginning",
          "--isolation-level",
          "read_committed",
          "--max-messages",
          "4",
          "--timeout-ms",
          "30000",
        ]);
        assert.deepEqual(out.trim().split("\n"), ["c1", "c2", "c3", END]);
      }
    });

    test("a transaction over several partitions and topics commits as one", async () => {
      const a = unique(`multi-a-v${transactionVersion}`);
      const b = unique(`multi-b-v${transactionVersion}`);
      await createTopic(a, 3);
      await createTopic(b, 1);
      await using w = new Writer({
        brokers: brokers(),
        transactionalId: `${a}-tx`,
        transactionVersion,
      });
      await w.transaction(async (tx) => {
        await tx.writeMessages([
          ...[0, 1, 2].map((partition) => ({ topic: a, partition, value: `a${partition}` })),
          { topic: b, value: "b" },
        ]);
        await tx.writeMessages([{ topic: b, value: END }]);
      });
      await w.beginTransaction();
      await w.writeMessages([0, 1, 2].map((partition) => ({ topic: a, partition, value: "x" })));
      await w.abortTransaction();
      await w.transaction((tx) =>
        tx.writeMessages([0, 1, 2].map((partition) => ({ topic: a, partition, value: END })))
      );
      for (const p of [0, 1, 2]) {
        assert.deepEqual(await readUntilEnd(a, "read_committed", p), [`a${p}`]);
      }
      assert.deepEqual(await readUntilEnd(b, "read_committed"), ["b"]);
    });

    test("zombie fencing: a second Writer of the id fences the first and aborts its transaction", async () => {
      const topic = unique(`fencing-v${transactionVersion}`);
      await createTopic(topic);
      const transactionalId = `${topic}-tx`;
      await using old = writerOf(topic, transactionalId);
      await old.beginTransaction();
      await old.writeMessages(values("zombie-1"));
      await using fresh = writerOf(topic, transactionalId);
      await fresh.beginTransaction(); // fences `old`, aborting its open transaction
      await fresh.writeMessages(values("fresh-1"));
      const commit = await old.commitTransaction().then(() => undefined, (e) => e);
      assert.ok(commit instanceof ProducerFencedError, `got ${commit}`);
      // Fenced for good: every later call says so.
      await assert.rejects(old.beginTransaction(), ProducerFencedError);
      await assert.rejects(old.writeMessages(values("zombie-2")), ProducerFencedError);
      await fresh.writeMessages(values(END));
      await fresh.commitTransaction();
      assert.deepEqual(await readUntilEnd(topic, "read_committed"), ["fresh-1"]);
    });

    test("a zombie's write is refused with the typed error", async () => {
      const topic = unique(`fenced-write-v${transactionVersion}`);
      await createTopic(topic);
      const transactionalId = `${topic}-tx`;
      await using old = writerOf(topic, transactionalId);
      await old.transaction((tx) => tx.writeMessages(values("old-1")));
      await old.beginTransaction();
      await using fresh = writerOf(topic, transactionalId);
      await fresh.beginTransaction();
      const write = await old.writeMessages(values("zombie")).then(() => undefined, (e) => e);
      assert.ok(write instanceof WriteErrors, `got ${write}`);
      assert.ok(write.errors[0] instanceof Error);
      const commit = await old.commitTransaction().then(() => undefined, (e) => e);
      assert.ok(commit instanceof ProducerFencedError, `got ${commit}`);
      await fresh.writeMessages(values(END));
      await fresh.commitTransaction();
      assert.deepEqual(await readUntilEnd(topic, "read_committed"), ["old-1"]);
    });

    test("a batch the broker refuses leaves the transaction abortable; the next commits with a new epoch", async () => {
      const topic = unique(`refused-batch-v${transactionVersion}`);
      {
        await using conn = await dial(address());
        await conn.createTopics([{
          topic,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [{ configName: "max.message.bytes", configValue: "1024" }],
        }]);
      }
      const transactionalId = `${topic}-tx`;
      await using admin = new Client({ brokers: brokers() });
      const epoch = async () =>
        (await admin.describeTransactions([transactionalId]))[0].producerEpoch;
      await using w = writerOf(topic, transactionalId);
      await w.transaction((tx) => tx.writeMessages(values("c1")));
      const before = await epoch();
      await w.beginTransaction();
      const write = await w.writeMessages(values("x".repeat(4096))).then(() => undefined, (e) => e);
      assert.ok(write instanceof WriteErrors, `got ${write}`);
      await assert.rejects(w.commitTransaction(), AbortableTransactionError);
      await w.abortTransaction();
      // v1: the partition's sequence numbers are in doubt, so a new epoch (KIP-360); v2 bumps
      // it at every transaction's end.
      assert.ok(await epoch() > before, `epoch ${await epoch()} after ${before}`);
      await w.transaction((tx) => tx.writeMessages(values("c2", END)));
      assert.deepEqual(await readUntilEnd(topic, "read_committed"), ["c1", "c2"]);
    });

    test("sendOffsets: the group's offsets are committed with the transaction, not after an abort", async () => {
      const topic = unique(`offsets-v${transactionVersion}`);
      const input = unique(`offsets-in-v${transactionVersion}`);
      const groupId = unique(`offsets-group-v${transactionVersion}`);
      await createTopic(topic);
      await createTopic(input, 2);
      await using admin = new Client({ brokers: brokers() });
      const committed = async () => {
        const [g] = await admin.fetchOffsets([{ groupId, topics: [input] }], {
          requireStable: true,
        });
        return g.offsets.map((o) => o.offset);
      };
      // A group without members takes transactional offsets of no generation.
      const group = { groupId, generationId: -1, memberId: "", groupInstanceId: null };
      await using w = writerOf(topic);
      await w.beginTransaction();
      await w.writeMessages(values("x"));
      await w.sendOffsets([{ topic: input, partition: 0, offset: 5 }], group);
      await w.abortTransaction();
      assert.deepEqual(await committed(), [-1, -1]);
      await w.transaction(async (tx) => {
        await tx.writeMessages(values("y"));
        await tx.sendOffsets([
          { topic: input, partition: 0, offset: 7 },
          { topic: input, partition: 1, offset: 3 },
        ], group);
      });
      assert.deepEqual(await committed(), [7, 3]);
      // Offsets alone make a transaction too.
      await w.transaction((tx) =>
        tx.sendOffsets([{ topic: input, partition: 1, offset: 4 }], group)
      );
      assert.deepEqual(await committed(), [7, 4]);
    });

    test("sendOffsets of a member the group moved on from: the transaction can only abort", async () => {
      const topic = unique(`stale-member-v${transactionVersion}`);
      const input = unique(`stale-member-in-v${transactionVersion}`);
      const groupId = unique(`stale-member-group-v${transactionVersion}`);
      await createTopic(topic);
      await createTopic(input);
      await using reader = new Reader({ brokers: brokers(), groupId, topic: input });
      const deadline = Date.now() + 30_000;
      while (reader.assignments.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const member = reader.groupMetadata();
      assert.equal(member.groupId, groupId);
      assert.ok(member.memberId !== "" && member.generationId >= 0, JSON.stringify(member));
      await using w = writerOf(topic);
      await w.beginTransaction();
      const stale = { ...member, generationId: member.generationId + 100 };
      const err = await w.sendOffsets([{ topic: input, partition: 0, offset: 1 }], stale).then(
        () => undefined,
        (e) => e,
      );
      assert.ok(err instanceof AbortableTransactionError, `got ${err}`);
      assert.match(err.message, /must be aborted/);
      await assert.rejects(w.commitTransaction(), AbortableTransactionError);
      await w.abortTransaction();
      // The member's own metadata is accepted.
      await w.transaction((tx) =>
        tx.sendOffsets([{ topic: input, partition: 0, offset: 0 }], member)
      );
    });
  });
}

describe(`transactional Writer: configuration and state (${RUNTIME})`, () => {
  test("configurations that contradict a transactionalId are refused, naming the field", () => {
    const base = { brokers: "127.0.0.1:1", topic: "t", transactionalId: "tx" };
    assert.throws(() => new Writer({ ...base, idempotent: false }), /idempotent/);
    assert.throws(() => new Writer({ ...base, requiredAcks: 1 }), /requiredAcks/);
    assert.throws(() => new Writer({ ...base, transactionalId: "" }), /transactionalId/);
    assert.throws(() => new Writer({ ...base, transactionTimeout: 0 }), /transactionTimeout/);
    assert.throws(
      () => new Writer({ brokers: "127.0.0.1:1", transactionTimeout: 1000 }),
      /transactionTimeout needs a transactionalId/,
    );
  });

  test("transaction calls out of order are TransactionStateErrors", async () => {
    const topic = unique("state");
    await createTopic(topic);
    await using plain = new Writer({ brokers: brokers(), topic });
    await assert.rejects(plain.beginTransaction(), TransactionStateError);
    await using w = new Writer({ brokers: brokers(), topic, transactionalId: `${topic}-tx` });
    await assert.rejects(w.commitTransaction(), TransactionStateError);
    await assert.rejects(w.abortTransaction(), TransactionStateError);
    await w.beginTransaction();
    await assert.rejects(w.beginTransaction(), TransactionStateError);
    // An empty transaction commits without a round trip.
    await w.commitTransaction();
  });

  test("close() aborts an open transaction", async () => {
    const topic = unique("close");
    await createTopic(topic);
    const transactionalId = `${topic}-tx`;
    {
      await using w = new Writer({ brokers: brokers(), topic, transactionalId });
      await w.beginTransaction();
      await w.writeMessages(values("left-open"));
    }
    // Aborted at close, not left to the 60 s transaction timeout: the next transaction of
    // the id commits at once, and the open one is not in it.
    await using next = new Writer({ brokers: brokers(), topic, transactionalId });
    await next.transaction((tx) => tx.writeMessages(values("next", END)));
    assert.deepEqual(await readUntilEnd(topic, "read_committed"), ["next"]);
    assert.deepEqual(await readUntilEnd(topic, "read_uncommitted"), ["left-open", "next"]);
  });

  test("a Java transactional producer's aborted transactions are skipped by kafkit", async () => {
    const input = unique("java-in");
    const output = unique("java-out");
    await createTopic(input);
    await createTopic(output);
    const count = 200;
    await using plain = new Writer({ brokers: brokers(), topic: input });
    await plain.writeMessages(Array.from({ length: count }, (_, i) => ({ value: `m${i}` })));
    // Copies input to output in transactions of 10, aborting about a third at random (and
    // copying those messages again): aborted data is in the output's log.
    await javaTool("org.apache.kafka.tools.TransactionalMessageCopier", [
      "--broker-list",
      brokers(),
      "--input-topic",
      input,
      "--input-partition",
      "0",
      "--output-topic",
      output,
      "--transactional-id",
      `${output}-java`,
      "--consumer-group",
      `${output}-group`,
      "--transaction-size",
      "10",
      "--max-messages",
      String(count),
      "--enable-random-aborts",
      "--use-group-metadata",
    ]);
    await using w = new Writer({
      brokers: brokers(),
      topic: output,
      transactionalId: `${output}-tx`,
    });
    await w.transaction((tx) => tx.writeMessages(values(END)));
    const committed = await readUntilEnd(output, "read_committed");
    assert.deepEqual(committed, Array.from({ length: count }, (_, i) => `m${i}`));
    const all = await readUntilEnd(output, "read_uncommitted");
    assert.ok(all.length > count, `aborted copies are in the log (${all.length} records)`);
  });
});
