// kafka-go's README, "Connection": produce and consume with the low-level Conn, one
// connection to the leader of one partition.
//
//   deno run -A examples/conn.ts

import { dialLeader } from "@kafkit/kafkit"; // npm: "kafkit"
import { brokers, scratchTopic } from "./_setup.ts";

await using topic = await scratchTopic("kafkit-example-conn");
const partition = 0;

// To produce messages.
{
  await using conn = await dialLeader(brokers[0], topic.name, partition);
  // kafka-go's SetWriteDeadline: each call takes a timeout (or a signal) of its own.
  await conn.writeMessages([{ value: "one!" }, { value: "two!" }, { value: "three!" }], {
    timeout: 10_000,
  });
}

// To consume messages: fetch 10 KB min, 1 MB max (kafka-go's ReadBatch(10e3, 1e6)), the
// broker waiting at most half a second for the 10 KB before it answers with what it has.
{
  await using conn = await dialLeader(brokers[0], topic.name, partition);
  await using batch = await conn.readBatchWith({
    minBytes: 10e3,
    maxBytes: 1e6,
    maxWait: 500,
    timeout: 10_000,
  });
  for await (const m of batch) console.log(new TextDecoder().decode(m.value!));
}
