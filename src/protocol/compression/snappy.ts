/**
 * The snappy codec (Kafka codec id 2).
 *
 * Kafka has two snappy layouts. The Java client writes snappy-java's (xerial) stream: a
 * 16-byte header (0x82 "SNAPPY" 0x00, then version 1 and compatible version 1 as big-endian
 * int32s) and chunks of [big-endian int32 length, raw Snappy block] of 32 KiB input each.
 * librdkafka writes one raw Snappy block. Both read both: the Java client's
 * `SnappyInputStream` falls back to a raw block when the magic is missing, and librdkafka
 * checks for the magic before choosing. So decompression accepts both, detecting the
 * magic (a raw block cannot start with it: its length varint would end at 'S' and an 'N'
 * tag is a copy with nothing to copy from), including several chunks and the repeated
 * header of concatenated streams.
 *
 * Compression writes the xerial stream, as the Java client does: it is what the reference
 * client and the broker itself write, so every consumer that reads Java-produced data reads
 * it, and its 32 KiB chunks let a large batch be compressed in slices.
 *
 * @module
 */

import { compress as snappyBlock } from "snappyjs";
import { DecodeError } from "../../errors.ts";
import type { CompressionCodec } from "./codec.ts";
import { decodeSnappy, snappyLength } from "./_snappy_raw.ts";
import { Slicer } from "../../_async/slicer.ts";
import { asDecodeError, checkMaxSize, concat, tooLarge } from "./_util.ts";

const MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const HEADER_SIZE = 16;
/** The magic's first four bytes read as a chunk length: a concatenated stream's header. */
const MAGIC_HEAD = 0x82534e41 | 0;
/** snappy-java's default block size, which Kafka's SnappyOutputStream uses. */
const CHUNK_SIZE = 32 * 1024;

const HEADER = new Uint8Array([...MAGIC, 0, 0, 0, 1, 0, 0, 0, 1]);

function hasMagic(b: Uint8Array, at: number): boolean {
  if (b.length - at < HEADER_SIZE) return false;
  for (let i = 0; i < MAGIC.length; i++) if (b[at + i] !== MAGIC[i]) return false;
  return true;
}

function readBE32(b: Uint8Array, at: number): number {
  return (b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}

async function compress(data: Uint8Array): Promise<Uint8Array> {
  const parts: Uint8Array[] = [HEADER];
  let total = HEADER_SIZE;
  const slicer = new Slicer();
  for (let at = 0; at < data.length; at += CHUNK_SIZE) {
    // Deno infers a looser type from snappyjs's JavaScript; for a Uint8Array it returns one.
    const block = snappyBlock(data.subarray(at, at + CHUNK_SIZE)) as Uint8Array;
    const length = new Uint8Array(4);
    new DataView(length.buffer).setInt32(0, block.length);
    parts.push(length, block);
    total += 4 + block.length;
    if (at + CHUNK_SIZE < data.length && slicer.due()) await slicer.pause();
  }
  return concat(parts, total);
}

interface Chunk {
  start: number;
  end: number;
  length: number;
}

async function decompress(data: Uint8Array, maxSize?: number): Promise<Uint8Array> {
  const limit = checkMaxSize(maxSize);
  try {
    if (data.length === 0) throw new DecodeError("snappy data is empty", 0);
    const chunks = hasMagic(data, 0) ? xerialChunks(data) : [rawChunk(data, 0, data.length)];
    let total = 0;
    for (const c of chunks) {
      total += c.length;
      if (total > limit) throw tooLarge("snappy", limit, c.start);
    }
    const out = new Uint8Array(total);
    const slicer = new Slicer();
    let at = 0;
    for (const c of chunks) {
      decodeSnappy(data, c.start, c.end, out, at, c.length);
      at += c.length;
      if (slicer.due()) await slicer.pause();
    }
    return out;
  } catch (err) {
    throw asDecodeError("snappy", err);
  }
}

function rawChunk(data: Uint8Array, start: number, end: number): Chunk {
  const [length, tags] = snappyLength(data, start, end);
  return { start: tags, end, length };
}

// Walks a xerial stream's chunk lengths: every declared length is known (and bounded)
// before any output is allocated.
function xerialChunks(data: Uint8Array): Chunk[] {
  const chunks: Chunk[] = [];
  let at = 0;
  while (at < data.length) {
    if (hasMagic(data, at)) {
      const version = readBE32(data, at + 8);
      if (version < 1) {
        throw new DecodeError(`snappy-java stream version ${version} is not 1`, at + 8);
      }
      at += HEADER_SIZE;
      continue;
    }
    if (data.length - at < 4) throw new DecodeError("snappy-java chunk length is truncated", at);
    const size = readBE32(data, at);
    if (size === MAGIC_HEAD) throw new DecodeError("snappy-java stream header is truncated", at);
    if (size < 0 || size > data.length - at - 4) {
      throw new DecodeError(`snappy-java chunk of ${size} bytes does not fit the input`, at);
    }
    chunks.push(rawChunk(data, at + 4, at + 4 + size));
    at += 4 + size;
  }
  return chunks;
}

/**
 * The snappy codec: writes snappy-java's framed stream (as the Java client does), reads
 * that and raw Snappy blocks (as librdkafka writes).
 *
 * @example
 * ```ts
 * import { snappyCodec } from "@kafkit/kafkit/protocol";
 * const snappy = snappyCodec();
 * const packed = await snappy.compress(new TextEncoder().encode("hello ".repeat(100)));
 * console.log((await snappy.decompress(packed)).length); // 600
 * ```
 */
export function snappyCodec(): CompressionCodec {
  return { id: 2, name: "snappy", compress, decompress };
}
