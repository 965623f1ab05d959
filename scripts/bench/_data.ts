// Record-like test data shared by the codec benchmark and the codec tests.

/**
 * `n` bytes that compress like real record values: JSON documents with a few random bytes
 * (ids, hashes) between them. Deterministic for a given seed.
 */
export function recordLikeData(n: number, seed = 12345): Uint8Array {
  let x = seed;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  };
  const enc = new TextEncoder();
  const out = new Uint8Array(n);
  let at = 0;
  for (let i = 0; at < n; i++) {
    const json = enc.encode(JSON.stringify({
      id: i,
      user: `user-${i % 977}`,
      ts: 1_700_000_000_000 + i * 13,
      tags: ["a", "b", String(i % 13)],
      msg: `lorem ipsum dolor sit amet ${(i * 7919) % 10007}`,
    }));
    out.set(json.subarray(0, n - at), at);
    at += json.length;
    for (let k = 0; k < 16 && at < n; k++) out[at++] = rnd();
  }
  return out;
}
