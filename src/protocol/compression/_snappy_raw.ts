// A bounded decoder for raw Snappy blocks, written from the Snappy format description.
// snappyjs's decoder is not used: it does not check that the output fills the declared
// length, drops writes past the end silently, and a 4-byte literal length that overflows
// to a negative number sends its read position backwards forever.

import { DecodeError } from "../../errors.ts";
import { WORD_COPIES, wordView } from "./_util.ts";

/**
 * A copy of at most 64 bytes costs at least 3 input bytes, so a block holds at most this
 * many output bytes per input byte; a larger declared length is a lie.
 */
const MAX_RATIO = 64 / 3;

/**
 * Reads the uncompressed length that starts a raw block at `src[at]`. Returns it and where
 * the tagged data starts. Throws if the length is malformed or more than `end - at` input
 * bytes could produce.
 */
export function snappyLength(src: Uint8Array, at: number, end: number): [number, number] {
  let length = 0;
  for (let shift = 0, i = at;; shift += 7, i++) {
    if (i >= end) throw new DecodeError("snappy length is truncated", i);
    if (shift === 35) throw new DecodeError("snappy length is longer than 5 bytes", i);
    const b = src[i];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) {
      if (length > 0xffffffff) throw new DecodeError("snappy length exceeds 32 bits", at);
      if (length > Math.ceil((end - i - 1) * MAX_RATIO)) {
        throw new DecodeError(`snappy block declares an impossible length ${length}`, at);
      }
      return [length, i + 1];
    }
  }
}

/** Longer literals are copied by `set`, shorter ones in a loop (measured: 16 to 64 alike). */
const SHORT_LITERAL = 32;

/**
 * Decodes the tagged data `src[ip, end)` into `dst[at, at + length)`; the data must fill
 * exactly that span. Offsets in errors are relative to `src`.
 */
export function decodeSnappy(
  src: Uint8Array,
  ip: number,
  end: number,
  dst: Uint8Array,
  at: number,
  length: number,
): void {
  // See WORD_COPIES. A word copy may run up to 3 bytes past an op's end: it is used only
  // where those bytes are inside the input and the output span, and later ops overwrite them.
  const s = wordView(src);
  const d = wordView(dst);
  let op = at;
  const oend = at + length;
  while (ip < end) {
    const tag = src[ip++];
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const n = len - 59;
          if (end - ip < n) throw new DecodeError("snappy literal length is truncated", ip);
          len = 0;
          for (let k = n - 1; k >= 0; k--) len = len * 256 + src[ip + k];
          ip += n;
        }
        len += 1;
        if (len > end - ip) throw new DecodeError("snappy literal runs past the input", ip);
        if (len > oend - op) throw new DecodeError("snappy literal runs past the length", ip);
        if (len > SHORT_LITERAL) {
          dst.set(src.subarray(ip, ip + len), op);
        } else if (WORD_COPIES && len + 3 <= oend - op && ip + len + 3 <= src.length) {
          for (let i = 0; i < len; i += 4) d.setUint32(op + i, s.getUint32(ip + i));
        } else {
          for (let i = 0; i < len; i++) dst[op + i] = src[ip + i];
        }
        ip += len;
        op += len;
        continue;
      }
      case 1:
        if (ip >= end) throw new DecodeError("snappy copy is truncated", ip);
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[ip++];
        break;
      case 2:
        if (end - ip < 2) throw new DecodeError("snappy copy is truncated", ip);
        len = (tag >>> 2) + 1;
        offset = src[ip] | (src[ip + 1] << 8);
        ip += 2;
        break;
      default:
        if (end - ip < 4) throw new DecodeError("snappy copy is truncated", ip);
        len = (tag >>> 2) + 1;
        offset = (src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24)) >>> 0;
        ip += 4;
    }
    if (offset === 0 || offset > op - at) {
      throw new DecodeError(`snappy copy offset ${offset} is out of range`, ip);
    }
    if (len > oend - op) throw new DecodeError("snappy copy runs past the length", ip);
    // At most 64 bytes, possibly overlapping (offset < length repeats the last `offset`
    // bytes). A word whose source starts `offset` >= 4 bytes back was written before it
    // is read, so word copies repeat correctly too.
    const from = op - offset;
    if (WORD_COPIES && offset >= 4 && len + 3 <= oend - op) {
      for (let i = 0; i < len; i += 4) d.setUint32(op + i, d.getUint32(from + i));
    } else {
      for (let i = 0; i < len; i++) dst[op + i] = dst[from + i];
    }
    op += len;
  }
  if (op !== oend) {
    throw new DecodeError(`snappy block declares ${length} bytes but holds ${op - at}`, ip);
  }
}
