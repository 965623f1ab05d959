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
import { DecodedRecord } from "../../protocol/_decoded_record.ts";

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
      if (r.offset < offset) continue;
      if (r instanceof DecodedRecord) {
        // The decoded record is the message: no copy (see _decoded_record.ts).
        r.topic = topic;
        r.partition = partition;
        r.highWaterMark = highWaterMark;
        messages.push(r);
      } else messages.push(toMessage(r, topic, partition, highWaterMark));
    }
  }
  const last = batches[batches.length - 1];
  const endOffset = last ? Math.max(offset, last.baseOffset + last.lastOffsetDelta + 1) : offset;
  return { messages, endOffset, highWaterMark, lastEpoch: last?.partitionLeaderEpoch ?? -1 };
}

/** Bytes of a record batch's header up to and including `lastOffsetDelta` (v2). */
const V2_LAST_OFFSET_DELTA_END = 27;

/**
 * Where the fetch after `records` (fetched from `offset`) starts, and the leader epoch of its
 * last batch, read from the v2 batch headers alone — what `fetchedMessages` will find once it
 * has decoded them all, so the next fetch can go out first. Undefined when only decoding can
 * tell (legacy message sets, or headers that do not add up: the decode reports those).
 */
export function fetchedEnd(
  records: Uint8Array | null | undefined,
  offset: number,
): { offset: number; epoch: number } | undefined {
  if (!records || records.length === 0) return { offset, epoch: -1 };
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  let end = offset, epoch = -1, pos = 0;
  // The same walk as readRecordBatches: whole batches only, a partial last one left out.
  while (records.length - pos >= 17) {
    const size = view.getInt32(pos + 8) + 12;
    if (records[pos + 16] !== 2 || size < V2_LAST_OFFSET_DELTA_END) return undefined;
    if (records.length - pos < size) break;
    const base = Number(view.getBigInt64(pos));
    end = Math.max(end, base + view.getInt32(pos + 23) + 1);
    epoch = view.getInt32(pos + 12);
    pos += size;
  }
  return { offset: end, epoch };
}
