// A share-group worker (KIP-932, Kafka 4.2+): the members of a share group read the same
// partitions and the broker hands each record to one member at a time, like a queue. This
// worker accepts the jobs it handles, releases one it cannot take right now (the broker
// delivers it again, here or to another member) and rejects a malformed one for good.
//
//   deno run -A examples/share_worker.ts

import { Client, ShareReader, Writer } from "@kafkit/kafkit"; // npm: "kafkit"
import { brokers, scratchTopic } from "./_setup.ts";

await using topic = await scratchTopic("kafkit-example-jobs");
const groupId = `${topic.name}-workers`;
{
  // A new share group starts at the end of its topics: start this one at the beginning, so it
  // reads the jobs written before it joined.
  await using admin = new Client({ brokers });
  await admin.incrementalAlterConfigs([{
    type: "group",
    name: groupId,
    ops: [{ name: "share.auto.offset.reset", op: "set", value: "earliest" }],
  }]);
  await using writer = new Writer({ brokers, topic: topic.name });
  await writer.writeMessages([
    { value: "resize img-1" },
    { value: "resize img-2" },
    { value: null }, // malformed: no job in it
    { value: "resize img-3" },
  ]);
}

await using jobs = new ShareReader({
  brokers,
  groupId,
  topics: [topic.name],
  acknowledgement: "explicit",
});
const text = new TextDecoder();
const done = new Set<string>();
while (done.size < 3) {
  const job = await jobs.readMessage({ signal: AbortSignal.timeout(20_000) });
  if (job.value === null) {
    console.log(`rejected the empty job at offset ${job.offset}`);
    jobs.acknowledge(job, "reject");
    continue;
  }
  const name = text.decode(job.value);
  if (name === "resize img-2" && job.deliveryCount === 1) {
    // Busy: hand it back; its next delivery comes with deliveryCount 2.
    console.log(`released ${name} (delivery ${job.deliveryCount})`);
    jobs.acknowledge(job, "release");
    continue;
  }
  console.log(`done: ${name} (delivery ${job.deliveryCount})`);
  jobs.acknowledge(job, "accept");
  done.add(name);
}
// Send the last acknowledgements before leaving the group.
await jobs.commit();
