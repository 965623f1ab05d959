/**
 * The lz4 codec (Kafka codec id 3): the LZ4 frame format, which Kafka uses since KIP-57
 * (message format v1 and later) with a correct header checksum.
 *
 * Output matches what the Java client (`Lz4BlockOutputStream`) and librdkafka (LZ4F with
 * `LZ4F_blockIndependent`) write: FLG 0x60 (version 1, independent blocks, no checksums, no
 * content size), 64 KiB blocks, an incompressible block stored raw, then the end mark. The
 * Java broker rejects dependent blocks ("Dependent block stream is unsupported") and does
 * not check a content checksum (newer Java clients compute it differently from the LZ4
 * specification for multi-block frames), so neither is written.
 *
 * Input may also use 256 KiB to 4 MiB blocks, dependent blocks, block checksums, a content
 * size and a content checksum (all checked), concatenated and skippable frames.
 *
 * The block compressor and decoder are kafkit's own (`_lz4_block.ts`), not lz4js: lz4js
 * 0.2.0 writes FLG 0x40 (dependent blocks, refused by the Java broker), 4 MiB blocks, lets
 * a match start closer than 12 bytes to the end of a block (which the reference decoder
 * refuses for a full block), and decodes without bounds or checksum checks.
 *
 * @module
 */

import { DecodeError } from "../../errors.ts";
import type { CompressionCodec } from "./codec.ts";
import { compressBlock, compressBound, decompressBlock } from "./_lz4_block.ts";
import { Slicer } from "../../_async/slicer.ts";
import { asDecodeError, checkMaxSize, Output, tooLarge } from "./_util.ts";
import { xxhash32 } from "./_xxhash32.ts";

const MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;
const FLG_VERSION = 0x40;
const FLG_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_SIZE = 64 * 1024;
const BD_64KB = 4 << 4;
const UNCOMPRESSED = 0x80000000;

function writeLE32(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

function readLE32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

async function compress(data: Uint8Array): Promise<Uint8Array> {
  const blocks = Math.ceil(data.length / BLOCK_SIZE);
  const out = new Uint8Array(7 + blocks * (4 + compressBound(BLOCK_SIZE)) + 4);
  writeLE32(out, 0, MAGIC);
  out[4] = FLG_VERSION | FLG_INDEPENDENT;
  out[5] = BD_64KB;
  out[6] = (xxhash32(out, 4, 6) >>> 8) & 0xff;
  let op = 7;
  const slicer = new Slicer();
  for (let start = 0; start < data.length; start += BLOCK_SIZE) {
    const end = Math.min(start + BLOCK_SIZE, data.length);
    const size = compressBlock(data, start, end, out, op + 4) - op - 4;
    if (size < end - start) {
      writeLE32(out, op, size);
    } else {
      writeLE32(out, op, (UNCOMPRESSED | (end - start)) >>> 0);
      out.set(data.subarray(start, end), op + 4);
    }
    op += 4 + Math.min(size, end - start);
    if (end < data.length && slicer.due()) await slicer.pause();
  }
  writeLE32(out, op, 0);
  return out.slice(0, op + 4);
}

/**
 * The output buffer of an earlier decompression, which the next one decodes into and copies
 * its result out of. Kafka's frames do not declare their content size, so the output buffer
 * is a guess (4 times the input) that a fresh allocation would zero and the result would
 * then be copied out of anyway (measured: a fifth of the decoding time of 100 B records).
 * Taken while in use, so decompressions that overlap (they pause between blocks) never share it.
 */
let spare: Uint8Array | undefined;
/** A larger buffer is not kept: one large batch should not pin its memory. */
const SPARE_MAX = 4 << 20;

async function decompress(data: Uint8Array, maxSize?: number): Promise<Uint8Array> {
  const limit = checkMaxSize(maxSize);
  let at = 0;
  try {
    const raw = rawFrame(data, limit);
    if (raw) return raw;
  } catch (err) {
    throw asDecodeError("lz4", err, at);
  }
  const out = new Output(Math.min(data.length * 4, 1 << 20), limit, spare);
  if (out.buf === spare) spare = undefined;
  try {
    if (data.length === 0) throw new DecodeError("lz4 data is empty", 0);
    const slicer = new Slicer();
    while (at < data.length) {
      if (data.length - at < 8) throw new DecodeError("lz4 frame is truncated", at);
      const magic = readLE32(data, at);
      if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE) {
        const size = readLE32(data, at + 4);
        if (size > data.length - at - 8) {
          throw new DecodeError("lz4 skippable frame is truncated", at);
        }
        at += 8 + size;
        continue;
      }
      if (magic !== MAGIC) {
        throw new DecodeError(`not an lz4 frame (magic 0x${magic.toString(16)})`, at);
      }
      at = await readFrame(data, at + 4, out, slicer);
    }
    return out.copy();
  } catch (err) {
    throw asDecodeError("lz4", err, at);
  } finally {
    if (out.buf.length <= SPARE_MAX && (spare === undefined || spare.length < out.buf.length)) {
      spare = out.buf;
    }
  }
}

/** A frame's header: its flags, largest block, declared content size (-1: none), and end. */
interface FrameHeader {
  flg: number;
  blockMax: number;
  contentSize: number;
  /** Where the first block starts. */
  end: number;
}

// Reads the header of the frame whose magic ends at `at`, checking it: its content, if it
// declares a size, must fit the `room` left of the output's `limit`.
function readHeader(data: Uint8Array, at: number, room: number, limit: number): FrameHeader {
  const descriptor = at;
  const flg = data[at];
  const bd = data[at + 1];
  if ((flg & 0xc0) !== FLG_VERSION) {
    throw new DecodeError(`lz4 frame version ${flg >>> 6} is not 1`, at);
  }
  if (flg & 0x02) throw new DecodeError("lz4 frame sets a reserved FLG bit", at);
  if (flg & FLG_DICT_ID) throw new DecodeError("lz4 frame needs a dictionary", at);
  const sizeCode = (bd >>> 4) & 7;
  if ((bd & 0x8f) !== 0 || sizeCode < 4) {
    throw new DecodeError(`lz4 frame has a bad BD byte 0x${bd.toString(16)}`, at + 1);
  }
  const blockMax = 1 << (2 * sizeCode + 8);
  at += 2;
  let contentSize = -1;
  if (flg & FLG_CONTENT_SIZE) {
    if (data.length - at < 9) throw new DecodeError("lz4 frame header is truncated", at);
    const high = readLE32(data, at + 4);
    contentSize = high * 2 ** 32 + readLE32(data, at);
    if (contentSize > room) throw tooLarge("lz4", limit, at);
    // A sequence turns one input byte into at most 255 output bytes; a larger claim is a
    // lie, refused before anything is allocated for it.
    if (contentSize > (data.length - at) * 255) {
      throw new DecodeError(`lz4 frame declares an impossible content size ${contentSize}`, at);
    }
    at += 8;
  }
  if (at >= data.length) throw new DecodeError("lz4 frame header is truncated", at);
  const hc = (xxhash32(data, descriptor, at) >>> 8) & 0xff;
  if (data[at] !== hc) throw new DecodeError("lz4 frame header checksum does not match", at);
  return { flg, blockMax, contentSize, end: at + 1 };
}

/**
 * The content of `data` when it is one frame of one block stored raw, as the Java client
 * writes incompressible records: a view into `data`, with nothing to decode or copy (the
 * Java consumer reads such a block in place too). Undefined for anything else, or anything
 * wrong with it: the full decoder then decodes it, or says what is wrong.
 */
function rawFrame(data: Uint8Array, limit: number): Uint8Array | undefined {
  if (data.length < 15 || readLE32(data, 0) !== MAGIC) return undefined;
  const { flg, blockMax, contentSize, end: start } = readHeader(data, 4, limit, limit);
  if (data.length - start < 4) return undefined;
  const word = readLE32(data, start);
  const size = (word & ~UNCOMPRESSED) >>> 0;
  if (!(word & UNCOMPRESSED) || size > blockMax || size > limit) return undefined;
  const from = start + 4, to = from + size;
  const blockEnd = to + (flg & FLG_BLOCK_CHECKSUM ? 4 : 0);
  const frameEnd = blockEnd + 4 + (flg & FLG_CONTENT_CHECKSUM ? 4 : 0);
  if (frameEnd !== data.length || readLE32(data, blockEnd) !== 0) return undefined;
  if (contentSize >= 0 && contentSize !== size) return undefined;
  const sum = flg & (FLG_BLOCK_CHECKSUM | FLG_CONTENT_CHECKSUM) ? xxhash32(data, from, to) : 0;
  if (flg & FLG_BLOCK_CHECKSUM && sum !== readLE32(data, to)) return undefined;
  if (flg & FLG_CONTENT_CHECKSUM && sum !== readLE32(data, blockEnd + 4)) return undefined;
  return data.subarray(from, to);
}

// Decodes one frame whose magic ends at `at`; returns where the frame ends.
async function readFrame(
  data: Uint8Array,
  at: number,
  out: Output,
  slicer: Slicer,
): Promise<number> {
  const room = out.limit - out.length;
  const { flg, blockMax, contentSize, end } = readHeader(data, at, room, out.limit);
  if (contentSize >= 0) out.reserve(contentSize);
  at = end;
  const frameStart = out.length;
  const independent = (flg & FLG_INDEPENDENT) !== 0;
  const blockChecksum = (flg & FLG_BLOCK_CHECKSUM) !== 0;
  for (;;) {
    if (data.length - at < 4) throw new DecodeError("lz4 frame ends before its end mark", at);
    const word = readLE32(data, at);
    at += 4;
    if (word === 0) break;
    const size = (word & ~UNCOMPRESSED) >>> 0;
    if (size > blockMax) {
      throw new DecodeError(`lz4 block size ${size} exceeds ${blockMax}`, at - 4);
    }
    if (size + (blockChecksum ? 4 : 0) > data.length - at) {
      throw new DecodeError("lz4 block is truncated", at);
    }
    if (blockChecksum && xxhash32(data, at, at + size) !== readLE32(data, at + size)) {
      throw new DecodeError("lz4 block checksum does not match", at + size);
    }
    if (word & UNCOMPRESSED) {
      if (!out.reserve(size)) throw tooLarge("lz4", out.limit, at);
      out.buf.set(data.subarray(at, at + size), out.length);
      out.length += size;
    } else {
      decompressBlock(data, at, at + size, out, blockMax, independent ? out.length : frameStart);
    }
    at += size + (blockChecksum ? 4 : 0);
    if (slicer.due()) await slicer.pause();
  }
  if (flg & FLG_CONTENT_CHECKSUM) {
    if (data.length - at < 4) throw new DecodeError("lz4 content checksum is missing", at);
    if (xxhash32(out.buf, frameStart, out.length) !== readLE32(data, at)) {
      throw new DecodeError("lz4 content checksum does not match", at);
    }
    at += 4;
  }
  if (contentSize >= 0 && contentSize !== out.length - frameStart) {
    throw new DecodeError(
      `lz4 frame declares ${contentSize} bytes but holds ${out.length - frameStart}`,
      at,
    );
  }
  return at;
}

/**
 * Kafka before 0.10 computed the LZ4 frame header checksum over the magic number too
 * (KAFKA-3160), and magic 0 message sets still carry it. Returns `frame` with such a
 * checksum replaced by the correct one, so any lz4 codec reads it, as librdkafka does; a
 * frame whose checksum is neither is returned as it is, for the codec to refuse.
 *
 * @example
 * ```ts
 * import { fixLegacyLz4Frame, lz4Codec } from "./lz4.ts";
 * const frame = await lz4Codec().compress(new TextEncoder().encode("hello"));
 * // A frame whose header checksum is already correct comes back as it is.
 * console.log(fixLegacyLz4Frame(frame) === frame); // true
 * ```
 */
export function fixLegacyLz4Frame(frame: Uint8Array): Uint8Array {
  if (frame.length < 7 || readLE32(frame, 0) !== MAGIC) return frame;
  const end = frame[4] & FLG_CONTENT_SIZE ? 14 : 6;
  if (frame.length <= end) return frame;
  const legacy = (xxhash32(frame, 0, end) >>> 8) & 0xff;
  const correct = (xxhash32(frame, 4, end) >>> 8) & 0xff;
  if (frame[end] === correct || frame[end] !== legacy) return frame;
  const fixed = frame.slice();
  fixed[end] = correct;
  return fixed;
}

/**
 * The lz4 codec: LZ4 frames with independent 64 KiB blocks, as the Java client and
 * librdkafka write them.
 *
 * @example
 * ```ts
 * import { lz4Codec } from "@kafkit/kafkit/protocol";
 * const lz4 = lz4Codec();
 * const packed = await lz4.compress(new TextEncoder().encode("hello ".repeat(100)));
 * console.log((await lz4.decompress(packed)).length); // 600
 * ```
 */
export function lz4Codec(): CompressionCodec {
  return { id: 3, name: "lz4", compress, decompress };
}
