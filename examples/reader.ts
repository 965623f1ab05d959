// kafka-go's README, "Reader": consume one partition from offset 42.
//
//   deno run -A examples/reader.ts

import { Reader, Writer } from "@kafkit/kafkit"; // npm: "kafkit"
import { brokers, scratchTopic } from "./_setup.ts";

await using topic = await scratchTopic("kafkit-example-reader");
// Something to read: offsets 0 to 44.
{
  await using writer = new Writer({ brokers, topic: topic.name });
  await writer.writeMessages(
    Array.from({ length: 45 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })),
  );
}

// Topic and partition, at offset 42, fetching 10 KB to 10 MB at a time.
await using reader = new Reader({
  brokers,
  topic: topic.name,
  partition: 0,
  minBytes: 10e3,
  maxBytes: 10e6,
  maxWait: 500,
});
reader.setOffset(42);

const text = new TextDecoder();
// kafka-go loops until ReadMessage fails; this one stops at the end of what was written
// (`lag`: messages behind the partition's end as of the last one read).
do {
  const m = await reader.readMessage({ signal: AbortSignal.timeout(10_000) });
  console.log(`message at offset ${m.offset}: ${text.decode(m.key!)} = ${text.decode(m.value!)}`);
} while (reader.lag > 0);
