import { Writer, dial } from "./mod.ts";
const brokers = process.env.KAFKA_BROKERS!.split(",");
{ await using c = await dial(brokers[0]); await c.createTopics([{ topic: "prof1k", numPartitions: 1, replicationFactor: 1 }]).catch(() => {}); }
await using w = new Writer({ brokers, topic: "prof1k", batchBytes: 65536, compression: undefined });
const value = new Uint8Array(1024).map((_, i) => (i * 31 + 7) & 0xff);
for (let i = 0; i < 100; i++) await w.writeMessages(Array.from({ length: 10000 }, () => ({ value })));
console.log("seeded 1M");
