// A consumer-group service: a Reader in a group handles each order and commits it, and
// SIGINT (Ctrl-C) or SIGTERM (what an orchestrator sends) stops it cleanly: the message in
// hand is finished, its offset committed, and the member leaves the group, so its partitions
// go to the other members at once instead of after a session timeout.
//
//   deno run -A examples/group_service.ts                          runs until Ctrl-C
//   EXAMPLE_MAX_MESSAGES=6 deno run -A examples/group_service.ts   stops after 6 (as in CI)
//
// For a self-contained demo it makes its own topic and writes six orders first; a real
// service would take the topic and group from its configuration.

import process from "node:process";
import { Reader, Writer } from "@kafkit/kafkit"; // npm: "kafkit"
import { brokers, scratchTopic } from "./_setup.ts";

const maxMessages = Number(process.env.EXAMPLE_MAX_MESSAGES ?? Infinity);

await using topic = await scratchTopic("kafkit-example-orders", 3);
{
  await using writer = new Writer({ brokers, topic: topic.name });
  await writer.writeMessages(
    Array.from({ length: 6 }, (_, i) => ({ key: `customer-${i % 2}`, value: `order-${i}` })),
  );
}

const shutdown = new AbortController();
const stop = (signal: string) => {
  console.log(`${signal}: finishing the current order, then leaving the group`);
  shutdown.abort();
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

await using reader = new Reader({
  brokers,
  groupId: `${topic.name}-billing`,
  topic: topic.name,
  onAssigned: (partitions) =>
    console.log(`assigned partitions ${partitions.map((p) => p.partition).join(", ")}`),
});

const text = new TextDecoder();
let handled = 0;
try {
  while (handled < maxMessages) {
    // The signal only cancels the wait for a message, never an order half handled.
    const m = await reader.fetchMessage({ signal: shutdown.signal });
    console.log(`billed ${text.decode(m.value!)} for ${text.decode(m.key!)}`);
    await reader.commitMessages([m]);
    handled++;
  }
} catch (e) {
  if (!shutdown.signal.aborted) throw e;
} finally {
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
}
console.log(`handled ${handled} orders; leaving the group`);
// `await using` closes the reader (LeaveGroup) and then deletes the demo topic.
