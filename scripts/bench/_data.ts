// Record-like test data shared by the codec benchmark and the codec tests.

/** A xorshift byte generator: deterministic for a given seed. */
function randomBytes(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x & 0xff;
  };
}

const enc = new TextEncoder();

/** The `i`th JSON document of the record-like data: a small event, as applications send. */
export function jsonValue(i: number): Uint8Array {
  return enc.encode(JSON.stringify({
    id: i,
    user: `user-${i % 977}`,
    ts: 1_700_000_000_000 + i * 13,
    tags: ["a", "b", String(i % 13)],
    msg: `lorem ipsum dolor sit amet ${(i * 7919) % 10007}`,
  }));
}

/**
 * `n` bytes that compress like real record values: JSON documents with a few random bytes
 * (ids, hashes) between them. Deterministic for a given seed.
 */
export function recordLikeData(n: number, seed = 12345): Uint8Array {
  const rnd = randomBytes(seed);
  const out = new Uint8Array(n);
  let at = 0;
  for (let i = 0; at < n; i++) {
    const json = jsonValue(i);
    out.set(json.subarray(0, n - at), at);
    at += json.length;
    for (let k = 0; k < 16 && at < n; k++) out[at++] = rnd();
  }
  return out;
}

/**
 * `count` values of `size` random uppercase letters each, as Kafka's ProducerPerformance
 * writes them (a fresh random payload per record). Deterministic for a given seed.
 */
export function letterValues(count: number, size: number, seed = 12345): Uint8Array[] {
  const rnd = randomBytes(seed);
  return Array.from({ length: count }, () => {
    const v = new Uint8Array(size);
    for (let i = 0; i < size; i++) v[i] = 65 + (rnd() % 26);
    return v;
  });
}
