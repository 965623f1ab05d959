// The portable zstd frame decoder: fzstd, pure JavaScript, fed in chunks between which
// the event loop gets a turn. Used where the runtime's zlib has no zstd (Node 20).
//
// Known weakness: on corrupt input fzstd can spend seconds of CPU in one call (it runs a
// block's sequences to their declared lengths, writing past its buffer without effect)
// before it fails. Valid input and the batch CRC-32C (checked before decompression) make
// that a matter of a hostile broker only; libzstd, used on every other runtime, fails fast.

import { Decompress } from "fzstd";
import { type FrameDecoder, OutputLimit } from "./_zstd_frames.ts";

/** Compressed bytes per push to fzstd. */
const CHUNK = 32 * 1024;

/** Decodes one checked frame with fzstd. */
export const fzstdFrame: FrameDecoder = async (frame, room, slicer) => {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const stream = new Decompress((chunk) => {
    total += chunk.length;
    if (total > room) throw new OutputLimit();
    if (chunk.length > 0) chunks.push(chunk);
  });
  for (let p = 0; p < frame.length; p += CHUNK) {
    const end = Math.min(p + CHUNK, frame.length);
    stream.push(frame.subarray(p, end), end === frame.length);
    if (slicer.due()) await slicer.pause();
  }
  return chunks;
};
