/**
 * The built-in partition balancers, after kafka-go's. Each keyed balancer maps a key to the
 * same partition as the client it is named after, so kafkit can share topics with them:
 *
 * | Balancer                            | Keyed messages go where this client puts them |
 * | ----------------------------------- | --------------------------------------------- |
 * | {@linkcode Hash}                    | Sarama (`NewHashPartitioner`), librdkafka `fnv1a` |
 * | {@linkcode ReferenceHash}           | Sarama (`NewReferenceHashPartitioner`)        |
 * | {@linkcode CRC32Balancer}           | librdkafka `consistent_random` (its default), `consistent` |
 * | {@linkcode Murmur2Balancer}         | the Java producer, librdkafka `murmur2_random`, `murmur2` |
 * | {@linkcode StickyBalancer}          | the Java producer                             |
 *
 * Keys are hashed as bytes: a string key as its UTF-8 encoding. The mapping assumes that
 * `partitions` is the topic's full, ascending list of ids (as the Writer passes it), so that
 * the i-th entry is partition i.
 *
 * @module
 */

import { type MessageInput, toBytes } from "../message.ts";
import { crc32, fnv1a32, murmur2 } from "../wire/hashes.ts";

/**
 * Picks a partition for each message (kafka-go's `Balancer`). `partitions` lists the ids of
 * the topic's partitions in ascending order (all of them, whether or not their leader is
 * reachable); the result must be one of them.
 *
 * @example
 * ```ts
 * import type { Balancer } from "@kafkit/kafkit";
 * const first: Balancer = { balance: (_message, partitions) => partitions[0] };
 * console.log(first.balance({ value: "x" }, [0, 1, 2])); // 0
 * ```
 */
export interface Balancer {
  /** The partition for `message`, one of `partitions`. */
  balance(message: MessageInput, partitions: readonly number[]): number;
  /** Told when the Writer sends a batch to `partition` (sticky balancers move on then). */
  onBatchFlushed?(partition: number): void;
}

const EMPTY = new Uint8Array(0);
const UINT32 = 2 ** 32;

/** The number of partitions, or a RangeError when there are none. */
function count(partitions: readonly number[], balancer: string): number {
  const n = partitions.length;
  if (n === 0) {
    throw new RangeError(`${balancer}: partitions is empty (a topic has at least one partition)`);
  }
  return n;
}

/** A partition chosen uniformly at random. */
function randomPartition(partitions: readonly number[]): number {
  return partitions[Math.floor(Math.random() * partitions.length)];
}

/** An optional positive integer option, validated. */
function positiveInteger(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(`${field} must be a number, got ${typeof value}`);
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${field} must be a positive integer, got ${value}`);
  }
  return value;
}

/** An optional boolean option, validated. */
function booleanOption(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new TypeError(`${field} must be a boolean, got ${typeof value}`);
  }
  return value;
}

/** The UTF-8 length of a string, without encoding it (lone surrogates count as U+FFFD). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (
      (c & 0xfc00) === 0xd800 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00
    ) {
      n += 2; // a surrogate pair: two code units, four bytes
      i++;
    } else n += 2;
  }
  return n;
}

function byteLength(v: Uint8Array | string | null | undefined): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "string" ? utf8Length(v) : v.length;
}

/** Options of {@linkcode RoundRobin}. */
export interface RoundRobinOptions {
  /** How many consecutive messages go to each partition before moving on; default 1. */
  chunkSize?: number;
}

/**
 * Cycles through the partitions, `chunkSize` messages to each (kafka-go's `RoundRobin`). The
 * position is a counter of messages, so when the partition count changes the cycle continues
 * over the new list.
 *
 * @example
 * ```ts
 * import { RoundRobin } from "@kafkit/kafkit";
 * const rr = new RoundRobin({ chunkSize: 2 });
 * const picks = [1, 2, 3, 4, 5].map(() => rr.balance({ value: "x" }, [0, 1, 2]));
 * console.log(picks); // [0, 0, 1, 1, 2]
 * ```
 */
export class RoundRobin implements Balancer {
  /** Consecutive messages per partition. */
  readonly chunkSize: number;
  #counter = 0;

  /** A round-robin balancer; a `chunkSize` that is not a positive integer is a RangeError. */
  constructor(options: RoundRobinOptions = {}) {
    this.chunkSize = positiveInteger(options.chunkSize, "chunkSize", 1);
  }

  /** The next partition in the cycle. */
  balance(_message: MessageInput, partitions: readonly number[]): number {
    const n = count(partitions, "RoundRobin");
    const i = Math.floor(this.#counter / this.chunkSize) % n;
    // kafka-go's counter is a uint32 that wraps.
    this.#counter = (this.#counter + 1) % UINT32;
    return partitions[i];
  }
}

/**
 * Sends each message to the partition that has received the fewest bytes (key plus value) from
 * this balancer so far, the lowest id on ties (kafka-go's `LeastBytes`). The counts start over
 * when the list of partitions changes. No coordination happens between producers.
 *
 * @example
 * ```ts
 * import { LeastBytes } from "@kafkit/kafkit";
 * const lb = new LeastBytes();
 * console.log(lb.balance({ value: "a long value" }, [0, 1])); // 0
 * console.log(lb.balance({ value: "short" }, [0, 1])); // 1
 * console.log(lb.balance({ value: "short" }, [0, 1])); // 1 (5 bytes < 12 bytes)
 * ```
 */
export class LeastBytes implements Balancer {
  #partitions: number[] = [];
  #bytes: number[] = [];

  /** The partition with the fewest bytes; the message's bytes are counted against it. */
  balance(message: MessageInput, partitions: readonly number[]): number {
    const n = count(partitions, "LeastBytes");
    if (!sameList(this.#partitions, partitions)) {
      this.#partitions = [...partitions];
      this.#bytes = new Array<number>(n).fill(0);
    }
    let min = 0;
    for (let i = 1; i < n; i++) {
      const fewer = this.#bytes[i] < this.#bytes[min];
      if (fewer || (this.#bytes[i] === this.#bytes[min] && partitions[i] < partitions[min])) {
        min = i;
      }
    }
    this.#bytes[min] += byteLength(message.key) + byteLength(message.value);
    return partitions[min];
  }
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Options of {@linkcode Hash} and {@linkcode ReferenceHash}. */
export interface HashOptions {
  /**
   * The 32-bit hash of a key's bytes (signed or unsigned); default FNV-1a 32, as Sarama and
   * kafka-go use (kafka-go's `Hasher` field).
   */
  hasher?: (key: Uint8Array) => number;
}

function hasherOption(options: HashOptions): (key: Uint8Array) => number {
  const hasher = options.hasher ?? fnv1a32;
  if (typeof hasher !== "function") {
    throw new TypeError(`hasher must be a function, got ${typeof hasher}`);
  }
  return hasher;
}

/**
 * Hashes the key with FNV-1a 32 and takes `abs(int32(hash) % n)`: the partition Sarama's
 * default `NewHashPartitioner` and kafka-go's `Hash` pick, and also librdkafka's `fnv1a`
 * partitioner (which takes `abs(int32(hash)) % n`, the same number). A message without a key
 * (`null` or absent) goes round robin, as in kafka-go; an empty key is hashed.
 *
 * @example
 * ```ts
 * import { Hash } from "@kafkit/kafkit";
 * const hash = new Hash();
 * const p = hash.balance({ key: "user-1", value: "x" }, [0, 1, 2, 3, 4, 5]);
 * console.log(p === hash.balance({ key: "user-1", value: "y" }, [0, 1, 2, 3, 4, 5])); // true
 * ```
 */
export class Hash implements Balancer {
  readonly #hasher: (key: Uint8Array) => number;
  readonly #roundRobin = new RoundRobin();

  /** A hash balancer, FNV-1a 32 unless `hasher` says otherwise. */
  constructor(options: HashOptions = {}) {
    this.#hasher = hasherOption(options);
  }

  /** The key's partition; round robin for a message without a key. */
  balance(message: MessageInput, partitions: readonly number[]): number {
    const n = count(partitions, "Hash");
    const key = toBytes(message.key);
    if (key === null) return this.#roundRobin.balance(message, partitions);
    // Go's % truncates toward zero, as JavaScript's does; the result is then negated.
    const i = (this.#hasher(key) | 0) % n;
    return partitions[i < 0 ? -i : i];
  }
}

/**
 * Hashes the key with FNV-1a 32 and takes `(int32(hash) & 0x7fffffff) % n`: the partition
 * Sarama's `NewReferenceHashPartitioner` and kafka-go's `ReferenceHash` pick (the Java
 * client's way of making a hash positive, applied to FNV-1a). It differs from {@linkcode Hash}
 * for keys whose hash has the top bit set. A message without a key goes to a random partition,
 * as in both.
 *
 * @example
 * ```ts
 * import { ReferenceHash } from "@kafkit/kafkit";
 * const hash = new ReferenceHash();
 * console.log(hash.balance({ key: "a", value: "x" }, [0, 1, 2])); // 2 (Hash picks 0)
 * ```
 */
export class ReferenceHash implements Balancer {
  readonly #hasher: (key: Uint8Array) => number;

  /** A reference hash balancer, FNV-1a 32 unless `hasher` says otherwise. */
  constructor(options: HashOptions = {}) {
    this.#hasher = hasherOption(options);
  }

  /** The key's partition; a random one for a message without a key. */
  balance(message: MessageInput, partitions: readonly number[]): number {
    const n = count(partitions, "ReferenceHash");
    const key = toBytes(message.key);
    if (key === null) return randomPartition(partitions);
    return partitions[(this.#hasher(key) & 0x7fffffff) % n];
  }
}

/** Options of {@linkcode CRC32Balancer}. */
export interface CRC32BalancerOptions {
  /**
   * Hash missing and empty keys too (librdkafka's `consistent`: they all go to partition 0)
   * instead of sending them to random partitions (`consistent_random`); default false.
   */
  consistent?: boolean;
}

/**
 * Takes the CRC-32 (IEEE) of the key, unsigned, modulo the partition count: librdkafka's
 * `consistent_random` partitioner (its default), or `consistent` with `{ consistent: true }`
 * (kafka-go's `CRC32Balancer`). Without `consistent`, messages whose key is missing or empty
 * go to a random partition, since librdkafka treats both as no key; with it, both hash as the
 * empty key, to partition 0. (librdkafka 1.5 and later stick such messages to one random
 * partition for a few milliseconds rather than choosing per message.)
 *
 * @example
 * ```ts
 * import { CRC32Balancer } from "@kafkit/kafkit";
 * const crc = new CRC32Balancer({ consistent: true });
 * console.log(crc.balance({ key: "a", value: "x" }, [0, 1, 2, 3])); // 3 (3904355907 % 4)
 * console.log(crc.balance({ key: null, value: "x" }, [0, 1, 2, 3])); // 0
 * ```
 */
export class CRC32Balancer implements Balancer {
  /** Whether missing and empty keys are hashed rather than sent to random partitions. */
  readonly consistent: boolean;

  /** A CRC-32 balancer; `consistent` must be a boolean when given. */
  constructor(options: CRC32BalancerOptions = {}) {
    this.consistent = booleanOption(options.consistent, "consistent");
  }

  /** The key's partition. */
  balance(message: MessageInput, partitions: readonly number[]): number {
    const n = count(partitions, "CRC32Balancer");
    const key = toBytes(message.key);
    if ((key === null || key.length === 0) && !this.consistent) return randomPartition(partitions);
    return partitions[crc32(key ?? EMPTY) % n];
  }
}

/** Options of {@linkcode Murmur2Balancer}. */
export interface Murmur2BalancerOptions {
  /**
   * Hash a missing key as the empty key (librdkafka's `murmur2`) instead of sending it to a
   * random partition (`murmur2_random`); default false. Empty keys are always hashed.
   */
  consistent?: boolean;
}

/** The Java client's partition for a key: `toPositive(murmur2(key)) % n`. */
function javaPartition(key: Uint8Array, partitions: readonly number[], n: number): number {
  return partitions[(murmur2(key) & 0x7fffffff) % n];
}

/**
 * Takes `(murmur2(key) & 0x7fffffff) % n`: the partition the Java client's producer picks for
 * a keyed record (`BuiltInPartitioner.partitionForKey`), and librdkafka's `murmur2_random`, or
 * `murmur2` with `{ consistent: true }` (kafka-go's `Murmur2Balancer`). An empty key is a key
 * and is hashed, as in all of them. A missing key (`null` or absent) goes to a random partition,
 * or with `consistent` hashes as the empty key. (The Java client and librdkafka 1.5+ stick
 * messages without a key to one partition for a while; see {@linkcode StickyBalancer}.)
 *
 * @example
 * ```ts
 * import { Murmur2Balancer } from "@kafkit/kafkit";
 * const murmur = new Murmur2Balancer();
 * console.log(murmur.balance({ key: "a", value: "x" }, [0, 1, 2])); // 1, as the Java client
 * ```
 */
export class Murmur2Balancer implements Balancer {
  /** Whether a missing key is hashed as the empty key rather than sent to a random partition. */
  readonly consistent: boolean;

  /** A murmur2 balancer; `consistent` must be a boolean when given. */
  constructor(options: Murmur2BalancerOptions = {}) {
    this.consistent = booleanOption(options.consistent, "consistent");
  }

  /** The key's partition. */
  balance(message: MessageInput, partitions: readonly number[]): number {
    const n = count(partitions, "Murmur2Balancer");
    const key = toBytes(message.key);
    if (key === null && !this.consistent) return randomPartition(partitions);
    return javaPartition(key ?? EMPTY, partitions, n);
  }
}

/** Options of {@linkcode StickyBalancer}. */
export interface StickyBalancerOptions {
  /**
   * How many messages without a key go to one partition before the balancer moves to another;
   * default 100 (the Writer's default batch size).
   */
  stickyBatch?: number;
}

/**
 * Partitions as the Java client's producer does, in the spirit of KIP-480: a keyed message goes
 * to `(murmur2(key) & 0x7fffffff) % n` like {@linkcode Murmur2Balancer}; messages without a key
 * (`null` or absent) stick to one randomly chosen partition, so they fill one batch rather than
 * many small ones. The balancer moves to another random partition (a different one when there
 * are several) after `stickyBatch` such messages, when the Writer reports through
 * {@linkcode StickyBalancer.onBatchFlushed} that the sticky partition's batch went out, or when
 * the sticky partition is no longer listed. Unlike the Java client it does not weigh partitions
 * by their queue sizes.
 *
 * @example
 * ```ts
 * import { StickyBalancer } from "@kafkit/kafkit";
 * const sticky = new StickyBalancer({ stickyBatch: 3 });
 * const picks = [1, 2, 3].map(() => sticky.balance({ value: "x" }, [0, 1, 2]));
 * console.log(new Set(picks).size); // 1
 * console.log(sticky.balance({ key: "a", value: "x" }, [0, 1, 2])); // 1, as the Java client
 * ```
 */
export class StickyBalancer implements Balancer {
  /** Messages without a key per sticky partition. */
  readonly stickyBatch: number;
  #partition = -1;
  #sent = 0;

  /** A sticky balancer; a `stickyBatch` that is not a positive integer is a RangeError. */
  constructor(options: StickyBalancerOptions = {}) {
    this.stickyBatch = positiveInteger(options.stickyBatch, "stickyBatch", 100);
  }

  /** The key's partition, or the sticky partition for a message without a key. */
  balance(message: MessageInput, partitions: readonly number[]): number {
    const n = count(partitions, "StickyBalancer");
    const key = toBytes(message.key);
    if (key !== null) return javaPartition(key, partitions, n);
    if (this.#sent >= this.stickyBatch || !partitions.includes(this.#partition)) {
      this.#move(partitions, n);
    }
    this.#sent++;
    return this.#partition;
  }

  /**
   * Tells the balancer that a batch for `partition` was sent: if it is the sticky partition,
   * the next message without a key moves to another one.
   */
  onBatchFlushed(partition: number): void {
    if (partition === this.#partition) this.#sent = this.stickyBatch;
  }

  #move(partitions: readonly number[], n: number): void {
    const current = partitions.indexOf(this.#partition);
    let i: number;
    if (current < 0 || n === 1) i = Math.floor(Math.random() * n);
    else {
      // A random one of the other n - 1 partitions.
      i = Math.floor(Math.random() * (n - 1));
      if (i >= current) i++;
    }
    this.#partition = partitions[i];
    this.#sent = 0;
  }
}

/**
 * A balancer that calls `fn` (kafka-go's `BalancerFunc`). A result that is not one of
 * `partitions` is a RangeError.
 *
 * @example
 * ```ts
 * import { balancerFunc } from "@kafkit/kafkit";
 * const last = balancerFunc((_message, partitions) => partitions[partitions.length - 1]);
 * console.log(last.balance({ value: "x" }, [0, 1, 2])); // 2
 * ```
 */
export function balancerFunc(
  fn: (message: MessageInput, partitions: readonly number[]) => number,
): Balancer {
  if (typeof fn !== "function") throw new TypeError(`fn must be a function, got ${typeof fn}`);
  return {
    balance(message: MessageInput, partitions: readonly number[]): number {
      count(partitions, "balancerFunc");
      const p = fn(message, partitions);
      if (!partitions.includes(p)) {
        throw new RangeError(`balancerFunc: the function returned ${p}, not one of the partitions`);
      }
      return p;
    },
  };
}
