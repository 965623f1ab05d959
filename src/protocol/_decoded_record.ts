/**
 * The object a fetched record is decoded into. It already has the consumer's `Message`
 * shape, so a Reader hands it over as is: one object per record instead of a record, a
 * message, a `Date` and a headers array (V8's young-generation GC was what still stalled the
 * event loop on big compressed batches). `fetchedMessages` fills in the topic, partition and
 * high watermark; `time` is made on first read.
 *
 * @module
 */

import type { FetchedRecord, RecordHeader } from "./_record_types.ts";

/** A decoded record, and the message a consumer hands over for it. */
export class DecodedRecord implements FetchedRecord {
  /** Set by the consumer when it hands the record over. */
  topic = "";
  /** Set by the consumer when it hands the record over. */
  partition = -1;
  /** Set by the consumer when it hands the record over. */
  highWaterMark = -1;
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: RecordHeader[];
  #time: Date | undefined;

  constructor(
    offset: number,
    timestamp: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: RecordHeader[],
  ) {
    this.offset = offset;
    this.timestamp = timestamp;
    this.key = key;
    this.value = value;
    this.headers = headers;
  }

  /** The timestamp as a Date, made on first read (most consumers never look). */
  get time(): Date {
    return this.#time ??= new Date(this.timestamp);
  }

  set time(time: Date) {
    this.#time = time;
  }
}
