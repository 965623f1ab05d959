// Walks zstd input frame by frame. Every frame header is checked before a decoder sees the
// frame: a declared content size or window past what `maxSize` allows is refused before
// anything is allocated for it, and the block headers are walked to find where the frame
// ends, so a truncated frame is refused whatever the decoder would make of it (libzstd
// behind Deno's and Bun's node:zlib returns what it has for a truncated frame, no error).
// Each frame then goes to the decoder alone: Node's and Deno's node:zlib stop after the
// first frame of concatenated input.

import { DecodeError } from "../../errors.ts";
import type { Slicer } from "../../_async/slicer.ts";
import { asDecodeError, checkMaxSize, concat, tooLarge } from "./_util.ts";

const MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;
/** Window size every decoder should support (the format's recommendation): 8 MiB. */
const MIN_WINDOW_LIMIT = 8 * 1024 * 1024;
const MAX_BLOCK = 128 * 1024;

/** Thrown by a frame decoder whose output would pass the room it was given. */
export class OutputLimit extends Error {}

/**
 * Decodes one whole, checked zstd frame into chunks totalling at most `room` bytes, else
 * throws OutputLimit. May hand the event loop back through `slicer`.
 */
export type FrameDecoder = (
  frame: Uint8Array,
  room: number,
  slicer: Slicer,
) => Promise<Uint8Array[]>;

function readLE32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function readLE(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i];
  return v;
}

interface Frame {
  end: number;
  skippable: boolean;
}

/** Checks the frame at `at` against the room left under `limit`; returns where it ends. */
function scanFrame(data: Uint8Array, at: number, room: number, limit: number): Frame {
  if (data.length - at < 8) throw new DecodeError("zstd frame is truncated", at);
  const magic = readLE32(data, at);
  if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE) {
    const end = at + 8 + readLE32(data, at + 4);
    if (end > data.length) throw new DecodeError("zstd skippable frame is truncated", at);
    return { end, skippable: true };
  }
  if (magic !== MAGIC) {
    throw new DecodeError(`not a zstd frame (magic 0x${magic.toString(16)})`, at);
  }
  const fhd = data[at + 4];
  if (fhd & 0x08) throw new DecodeError("zstd frame header sets a reserved bit", at + 4);
  const singleSegment = (fhd & 0x20) !== 0;
  const hasChecksum = (fhd & 0x04) !== 0;
  const dictSize = [0, 1, 2, 4][fhd & 3];
  const fcsCode = fhd >>> 6;
  const fcsSize = fcsCode === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsCode];
  let p = at + 5;
  let window = 0;
  if (!singleSegment) {
    const wd = data[p++];
    const base = 2 ** (10 + (wd >>> 3));
    window = base + (base / 8) * (wd & 7);
  }
  if (data.length - p < dictSize + fcsSize) {
    throw new DecodeError("zstd frame header is truncated", p);
  }
  if (readLE(data, p, dictSize) !== 0) throw new DecodeError("zstd frame needs a dictionary", p);
  p += dictSize;
  if (fcsSize > 0) {
    const size = readLE(data, p, fcsSize) + (fcsSize === 2 ? 256 : 0);
    if (size > room) throw tooLarge("zstd", limit, p);
    if (singleSegment) window = size;
    p += fcsSize;
  }
  // Decoders allocate the window up front (fzstd all of it, libzstd up to 128 MiB).
  if (window > Math.max(limit, MIN_WINDOW_LIMIT)) {
    throw new DecodeError(`zstd window of ${window} bytes exceeds the limit`, at + 5);
  }
  const blockMax = Math.min(window, MAX_BLOCK);
  for (;;) {
    if (data.length - p < 3) throw new DecodeError("zstd frame is truncated", p);
    const header = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16);
    const type = (header >>> 1) & 3;
    const size = header >>> 3;
    if (type === 3) throw new DecodeError("zstd block type is reserved", p);
    if (size > blockMax) throw new DecodeError(`zstd block of ${size} bytes is too large`, p);
    p += 3 + (type === 1 ? 1 : size);
    if (p > data.length) throw new DecodeError("zstd block is truncated", p);
    if (header & 1) break;
  }
  if (hasChecksum) p += 4;
  if (p > data.length) throw new DecodeError("zstd frame checksum is truncated", p);
  return { end: p, skippable: false };
}

/** Decompresses all frames of `data` with `decode`, bounded by `maxSize`. */
export async function decompressFrames(
  data: Uint8Array,
  maxSize: number | undefined,
  decode: FrameDecoder,
  slicer: Slicer,
): Promise<Uint8Array> {
  const limit = checkMaxSize(maxSize);
  let at = 0;
  try {
    if (data.length === 0) throw new DecodeError("zstd data is empty", 0);
    const chunks: Uint8Array[] = [];
    let total = 0;
    while (at < data.length) {
      const frame = scanFrame(data, at, limit - total, limit);
      if (!frame.skippable) {
        for (const chunk of await decode(data.subarray(at, frame.end), limit - total, slicer)) {
          chunks.push(chunk);
          total += chunk.length;
        }
      }
      at = frame.end;
    }
    return concat(chunks, total);
  } catch (err) {
    throw err instanceof OutputLimit ? tooLarge("zstd", limit, at) : asDecodeError("zstd", err, at);
  }
}
