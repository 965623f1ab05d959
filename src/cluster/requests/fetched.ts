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
  options: { readCommitted: boolean; maxBytes: number },
): Promise<FetchedMessages> {
  const highWaterMark = Number(part.highWatermark);
  const batches = await readRecordBatches(part.records ?? new Uint8Array(0), {
    maxDecompressedSize: Math.max(options.maxBytes * 64, 16 << 20),
  });
  const messages: Message[] = [];
  const take = (records: readonly FetchedRecord[]) => {
    for (const r of records) {
      if (r.offset >= offset) messages.push(toMessage(r, topic, partition, highWaterMark));
    }
  };
  if (options.readCommitted) take(committedRecords(batches, part.abortedTransactions ?? []));
  else for (const b of batches) if (!b.control) take(b.records);
  const last = batches[batches.length - 1];
  const endOffset = last ? Math.max(offset, last.baseOffset + last.lastOffsetDelta + 1) : offset;
  return { messages, endOffset, highWaterMark, lastEpoch: last?.partitionLeaderEpoch ?? -1 };
}
