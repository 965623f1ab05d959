/**
 * Turning one partition of a Fetch response into messages: decode the batches, drop what a
 * read_committed reader must not see, skip records before the requested offset, and work out
 * where the next fetch starts.
 *
 * @module
 */
import type { FetchResponsePartitionData } from "../../protocol/generated/fetch.ts";
import { committedRecords } from "../../protocol/read_committed.ts";
import { type FetchedRecord, readRecordBatches } from "../../protocol/records.ts";
import { type Message, toMessage } from "../../message.ts";
import { consumerSlices } from "../../_async/slicer.ts";

/** The messages of a fetched partition and the offset to fetch next. */
export interface FetchedMessages {
  messages: Message[];
  /**
   * Past the last complete batch returned, so records the reader never sees (control
   * batches, aborted data) are not fetched again; `offset` when nothing came back.
   */
  endOffset: number;
  highWaterMark: number;
  /** The leader epoch of the last batch returned, -1 if none (KIP-320's lastFetchedEpoch). */
  lastEpoch: number;
}

/** Decodes `part`, fetched from `offset` of `topic`/`partition`. */
export async function fetchedMessages(
  part: FetchResponsePartitionData,
  topic: string,
  partition: number,
  offset: number,
  options: {
    readCommitted: boolean;
    maxBytes: number;
    checkCrcs?: boolean;
    /** Decode and convert in slices, letting other tasks run between them. */
    yieldToEventLoop?: boolean;
  },
): Promise<FetchedMessages> {
  const highWaterMark = Number(part.highWatermark);
  const batches = await readRecordBatches(part.records ?? new Uint8Array(0), {
    maxDecompressedSize: Math.max(options.maxBytes * 64, 16 << 20),
    checkCrcs: options.checkCrcs,
    yieldToEventLoop: options.yieldToEventLoop,
  });
  const visible: (readonly FetchedRecord[])[] = options.readCommitted
    ? [committedRecords(batches, part.abortedTransactions ?? [])]
    : batches.filter((b) => !b.control).map((b) => b.records);
  const slices = options.yieldToEventLoop ? consumerSlices : undefined;
  const messages: Message[] = [];
  for (const records of visible) {
    for (let i = 0; i < records.length; i++) {
      if (slices && (i & 1023) === 1023 && slices.due()) await slices.pause();
      const r = records[i];
      if (r.offset >= offset) messages.push(toMessage(r, topic, partition, highWaterMark));
    }
  }
  const last = batches[batches.length - 1];
  const endOffset = last ? Math.max(offset, last.baseOffset + last.lastOffsetDelta + 1) : offset;
  return { messages, endOffset, highWaterMark, lastEpoch: last?.partitionLeaderEpoch ?? -1 };
}
