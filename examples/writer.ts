// kafka-go's README, "Writer": produce to a topic, spreading messages with the least-bytes
// balancer. The Writer batches, retries, and flushes what is pending on close.
//
//   deno run -A examples/writer.ts

import { LeastBytes, Writer } from "@kafkit/kafkit"; // npm: "kafkit"
import { brokers, scratchTopic } from "./_setup.ts";

await using topic = await scratchTopic("kafkit-example-writer", 3);
await using writer = new Writer({ brokers, topic: topic.name, balancer: new LeastBytes() });

await writer.writeMessages([
  { key: "Key-A", value: "Hello World!" },
  { key: "Key-B", value: "One!" },
  { key: "Key-C", value: "Two!" },
]);
// Acknowledged by every in-sync replica by now; stats() counts what was delivered.
const { messages, bytes } = writer.stats();
console.log(`wrote ${messages} messages, ${bytes} bytes of keys and values`);
