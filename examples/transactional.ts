// A transactional consume-transform-produce pipeline (exactly-once): ExactlyOnce reads a
// group's input, transforms each batch and writes the output in one transaction together
// with the batch's input offsets (KIP-447), so every input message's output is committed
// exactly once, through crashes, restarts and rebalances. The input is written in
// transactions too: one of them aborted, which read_committed readers never see.
//
//   deno run -A examples/transactional.ts

import { ExactlyOnce, Reader, Writer } from "@kafkit/kafkit"; // npm: "kafkit"
import { brokers, scratchTopic } from "./_setup.ts";

await using words = await scratchTopic("kafkit-example-words");
await using shouted = await scratchTopic("kafkit-example-shouted");
const text = new TextDecoder();

{
  await using input = new Writer({
    brokers,
    topic: words.name,
    transactionalId: `${words.name}-input`,
  });
  await input.transaction((tx) => tx.writeMessages([{ value: "exactly" }, { value: "once" }]));
  try {
    await input.transaction(async (tx) => {
      await tx.writeMessages([{ value: "never" }]);
      throw new Error("changed my mind");
    });
  } catch (e) {
    console.log(`input transaction aborted: ${(e as Error).message}`);
  }
  await input.transaction((tx) => tx.writeMessages([{ value: "delivery" }]));
}

// Give each instance of a pipeline its own transactional id, the same across its restarts:
// a restarted instance fences its old self and aborts what that left open.
await using pipeline = new ExactlyOnce({
  reader: { brokers, groupId: `${words.name}-shouter`, topic: words.name },
  writer: { brokers, topic: shouted.name, transactionalId: `${shouted.name}-1` },
  transform: (batch) =>
    batch.map((m) => ({ key: m.key, value: text.decode(m.value!).toUpperCase() })),
});
const stop = new AbortController();
const running = pipeline.run({ signal: stop.signal });

// The output as a downstream consumer sees it: committed transactions only.
await using output = new Reader({
  brokers,
  topic: shouted.name,
  partition: 0,
  isolationLevel: "read_committed",
});
for (let i = 0; i < 3; i++) {
  const m = await output.readMessage({ signal: AbortSignal.timeout(20_000) });
  console.log(`output: ${text.decode(m.value!)}`);
}
stop.abort(); // run() resolves once the batch under way (if any) is done
await running;
console.log(`${pipeline.stats().messages} input messages processed exactly once`);
