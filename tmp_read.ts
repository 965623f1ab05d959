import { FirstOffset, Reader } from "./mod.ts";
const brokers = process.env.KAFKA_BROKERS!.split(",");
const reader = new Reader({ brokers, partitions: [{ topic: "prof1k", partition: 0, offset: FirstOffset }], minBytes: 1, maxBytes: 1 << 20, maxWait: 500, queueCapacity: 10000, checkCrcs: process.env.CRC !== "0" });
const t = performance.now(); const c0 = process.cpuUsage();
let n = 0, bytes = 0;
while (n < 1_000_000) { const m = await reader.fetchMessage(); n++; bytes += m.value!.length; }
const cpu = process.cpuUsage(c0);
const ms = performance.now() - t;
console.log(`${Math.round(n / ms * 1000)} msgs/s, user ${(cpu.user / n).toFixed(2)} sys ${(cpu.system / n).toFixed(2)} µs/msg`);
await reader.close(); console.log("allocs", (globalThis as any).__allocs);
