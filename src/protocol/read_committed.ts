/**
 * What a read_committed consumer may see of fetched batches: control batches (transaction
 * markers) never reach the application, and neither do the batches of aborted transactions.
 *
 * @module
 */

import type { AbortedTransaction } from "./generated/fetch.ts";
import { type FetchedRecord, readControlRecord, type RecordBatch } from "./records.ts";

/**
 * The records of `batches` a read_committed reader returns. The broker lists the aborted
 * transactions overlapping the fetched range; a producer's batches count as aborted from
 * its listed first offset until its abort marker.
 */
export function committedRecords(
  batches: RecordBatch[],
  aborted: AbortedTransaction[],
): FetchedRecord[] {
  const pending = [...aborted].sort((a, b) => Number(a.firstOffset - b.firstOffset));
  const abortedProducers = new Set<bigint>();
  const out: FetchedRecord[] = [];
  for (const batch of batches) {
    const lastOffset = batch.baseOffset + batch.lastOffsetDelta;
    while (pending.length > 0 && pending[0].firstOffset <= BigInt(lastOffset)) {
      abortedProducers.add(pending.shift()!.producerId);
    }
    if (batch.control) {
      const marker = batch.records[0];
      if (marker && readControlRecord(marker).type === "abort") {
        abortedProducers.delete(batch.producerId);
      }
      continue;
    }
    if (batch.transactional && abortedProducers.has(batch.producerId)) continue;
    out.push(...batch.records);
  }
  return out;
}
