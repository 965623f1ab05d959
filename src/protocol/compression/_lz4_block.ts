// LZ4 block format: one block compressed with the fast greedy method, and a bounded
// decoder. Written from the LZ4 block format description. The end-of-block rules are kept
// exactly (the last 5 bytes are literals, the last match starts at least 12 bytes before
// the end): the reference decoder, which lz4-java and librdkafka use, may reject a block
// that breaks them when it decodes into a buffer of exactly the block size.

import { DecodeError } from "../../errors.ts";
import { type Output, tooLarge, WORD_COPIES, wordView } from "./_util.ts";

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const HASH_LOG = 14;
const MAX_OFFSET = 65535;
/** Longer literals are copied by `set`, shorter ones in a loop. */
const SHORT_LITERAL = 32;
/** Longer matches that do not overlap are copied by `copyWithin`, shorter ones in a loop. */
const SHORT_MATCH = 64;
/** Past 2^SKIP_TRIGGER failed probes the search step grows, skipping incompressible data. */
const SKIP_TRIGGER = 6;

// Positions of earlier 4-byte sequences by hash. Never cleared: a stale entry is used only
// when it lies inside the current block, before the current position, and its four bytes
// really match, and then it is a valid match whatever wrote it.
const table = new Int32Array(1 << HASH_LOG).fill(-1);

function read32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

function hash(seq: number): number {
  return Math.imul(seq, 0x9e3779b1) >>> (32 - HASH_LOG);
}

/** The most bytes compressing `n` bytes can write. */
export function compressBound(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

/**
 * Compresses `src[start, end)` as one independent block into `dst` at `at`, which must
 * have `compressBound(end - start)` bytes of room. Returns where the block ends in `dst`.
 */
export function compressBlock(
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  at: number,
): number {
  let op = at;
  let anchor = start;
  const mfLimit = end - MF_LIMIT;
  const matchLimit = end - LAST_LITERALS;
  let ip = start + 1;
  if (end - start > MF_LIMIT) {
    table[hash(read32(src, start))] = start;
    for (;;) {
      let ref = -1;
      let probes = 1 << SKIP_TRIGGER;
      while (ip <= mfLimit) {
        const seq = read32(src, ip);
        const h = hash(seq);
        ref = table[h];
        table[h] = ip;
        if (ref >= start && ref < ip && ip - ref <= MAX_OFFSET && read32(src, ref) === seq) break;
        ref = -1;
        ip += probes++ >>> SKIP_TRIGGER;
      }
      if (ref < 0) break;
      while (ip > anchor && ref > start && src[ip - 1] === src[ref - 1]) {
        ip--;
        ref--;
      }
      let len = MIN_MATCH;
      while (ip + len < matchLimit && src[ip + len] === src[ref + len]) len++;
      const token = op;
      op = writeLiterals(src, anchor, ip - anchor, dst, op);
      const offset = ip - ref;
      dst[op++] = offset & 0xff;
      dst[op++] = offset >>> 8;
      op = writeMatchLength(dst, op, token, len - MIN_MATCH);
      ip += len;
      anchor = ip;
      if (ip > mfLimit) break;
      table[hash(read32(src, ip - 2))] = ip - 2;
    }
  }
  return writeLiterals(src, anchor, end - anchor, dst, op);
}

// Writes a sequence's token, whose match-length half writeMatchLength fills, and literals.
function writeLiterals(
  src: Uint8Array,
  from: number,
  count: number,
  dst: Uint8Array,
  op: number,
): number {
  if (count >= 15) {
    dst[op++] = 0xf0;
    let n = count - 15;
    for (; n >= 255; n -= 255) dst[op++] = 255;
    dst[op++] = n;
  } else {
    dst[op++] = count << 4;
  }
  if (count > 32) {
    dst.set(src.subarray(from, from + count), op);
  } else {
    for (let i = 0; i < count; i++) dst[op + i] = src[from + i];
  }
  return op + count;
}

function writeMatchLength(dst: Uint8Array, op: number, token: number, n: number): number {
  if (n >= 15) {
    dst[token] |= 15;
    for (n -= 15; n >= 255; n -= 255) dst[op++] = 255;
    dst[op++] = n;
  } else {
    dst[token] |= n;
  }
  return op;
}

/**
 * Decodes the block `src[ip, end)` onto the end of `out`, writing at most `blockMax` bytes.
 * Matches may reach back to `windowStart` in `out` (the block's own start when blocks are
 * independent). Every length and offset is checked; bad input throws a DecodeError at
 * its position in `src`.
 */
export function decompressBlock(
  src: Uint8Array,
  ip: number,
  end: number,
  out: Output,
  blockMax: number,
  windowStart: number,
): void {
  const room = out.limit - out.length;
  const cap = Math.min(blockMax, room);
  out.reserve(cap);
  const dst = out.buf;
  // See WORD_COPIES. A word copy may run up to 3 bytes past an op's end: it is used only
  // where those bytes are inside the input and the block's room, and later ops overwrite them
  // (or, after the last op, they lie past the output's length).
  const s = wordView(src);
  const d = wordView(dst);
  let op = out.length;
  const oend = op + cap;
  const overflow = (at: number) =>
    blockMax <= room
      ? new DecodeError(`lz4 block decompresses past its maximum size ${blockMax}`, at)
      : tooLarge("lz4", out.limit, at);
  for (;;) {
    if (ip >= end) throw new DecodeError("lz4 block ends inside a sequence", ip);
    const token = src[ip++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= end) throw new DecodeError("lz4 literal length runs past the block", ip);
        b = src[ip++];
        lit += b;
      }
    }
    if (lit > end - ip) throw new DecodeError("lz4 literals run past the block", ip);
    if (lit > oend - op) throw overflow(ip);
    if (lit > SHORT_LITERAL) {
      dst.set(src.subarray(ip, ip + lit), op);
    } else if (WORD_COPIES && lit + 3 <= oend - op && ip + lit + 3 <= src.length) {
      for (let i = 0; i < lit; i += 4) d.setUint32(op + i, s.getUint32(ip + i));
    } else {
      for (let i = 0; i < lit; i++) dst[op + i] = src[ip + i];
    }
    ip += lit;
    op += lit;
    if (ip === end) break;
    if (end - ip < 2) throw new DecodeError("lz4 block ends inside a match offset", ip);
    const offset = src[ip] | (src[ip + 1] << 8);
    if (offset === 0 || offset > op - windowStart) {
      throw new DecodeError(`lz4 match offset ${offset} is out of range`, ip);
    }
    ip += 2;
    let len = token & 15;
    if (len === 15) {
      let b = 255;
      while (b === 255) {
        if (ip >= end) throw new DecodeError("lz4 match length runs past the block", ip);
        b = src[ip++];
        len += b;
      }
    }
    len += MIN_MATCH;
    if (len > oend - op) throw overflow(ip);
    const from = op - offset;
    if (offset >= len && len > SHORT_MATCH) {
      dst.copyWithin(op, from, from + len);
    } else if (WORD_COPIES && offset >= 4 && len + 3 <= oend - op) {
      // Overlapping (offset < length) copies repeat the last `offset` bytes; a word whose
      // source starts `offset` >= 4 bytes back was written before it is read.
      for (let i = 0; i < len; i += 4) d.setUint32(op + i, d.getUint32(from + i));
    } else {
      for (let i = 0; i < len; i++) dst[op + i] = dst[from + i];
    }
    op += len;
  }
  out.length = op;
}
