// The fixed-rate producer of the latency runs: kafkit's Writer in the orchestrator's process
// (so it takes no CPU from the consumer under test), stamping every value with its send time.

import { Writer } from "../../../mod.ts";
import { epochNow, stampedValue } from "./_measure.ts";

/** What the paced producer did. */
export interface Paced {
  sent: number;
  /** First to last send, ms. */
  spanMs: number;
}

/**
 * Writes `count` values of `size` bytes to `topic` at `rate` messages per second: every
 * millisecond, the messages due by then, each stamped (send time, sequence number) just before
 * `writeMessages`. acks=1, batchTimeout=0: batches leave as soon as the Writer can send them.
 */
export async function producePaced(
  brokers: string,
  topic: string,
  size: number,
  rate: number,
  count: number,
): Promise<Paced> {
  const writer = new Writer({ brokers, topic, requiredAcks: 1, batchTimeout: 0 });
  const writes: Promise<unknown>[] = [];
  let seq = 0;
  const t0 = performance.now();
  let last = t0;
  try {
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.min(count, Math.floor((now - t0) * rate / 1000) + 1);
        if (due > seq) {
          const messages = [];
          while (seq < due) messages.push({ value: stampedValue(size, seq++, epochNow()) });
          writes.push(writer.writeMessages(messages));
          last = now;
        }
        if (seq >= count) {
          clearInterval(timer);
          resolve();
        }
      };
      const timer = setInterval(tick, 1);
      tick();
    });
    await Promise.all(writes);
  } finally {
    await writer.close();
  }
  return { sent: seq, spanMs: last - t0 };
}
