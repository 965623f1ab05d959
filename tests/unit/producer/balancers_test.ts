import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  type Balancer,
  balancerFunc,
  CRC32Balancer,
  Hash,
  LeastBytes,
  type MessageInput,
  Murmur2Balancer,
  ReferenceHash,
  RoundRobin,
  StickyBalancer,
} from "../../../mod.ts";

const enc = new TextEncoder();
const msg = (
  key?: string | Uint8Array | null,
  value: string | Uint8Array | null = "v",
): MessageInput => key === undefined ? { value } : { key, value };
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const keys = (n: number): string[] => range(n).map((i) => `key-${i}-${(i * 2654435761) >>> 0}`);

/** Go's int32(uint32) % n with a negative result negated (Sarama's hashPartitioner). */
function saramaIndex(hash: number, n: number): number {
  const signed = hash >= 2 ** 31 ? hash - 2 ** 32 : hash;
  return Math.abs(signed % n);
}

/** How many messages each partition received. */
function tally(picks: number[], partitions: readonly number[]): Map<number, number> {
  const counts = new Map(partitions.map((p) => [p, 0]));
  for (const p of picks) {
    assert.ok(counts.has(p), `${p} is not one of ${partitions.join(",")}`);
    counts.set(p, counts.get(p)! + 1);
  }
  return counts;
}

/** Asserts every partition got within `slack` of an even share. */
function assertEven(picks: number[], partitions: readonly number[], slack = 0.15): void {
  const share = picks.length / partitions.length;
  for (const [p, c] of tally(picks, partitions)) {
    assert.ok(Math.abs(c - share) <= share * slack, `partition ${p}: ${c} of ${picks.length}`);
  }
}

const ALL: [string, () => Balancer][] = [
  ["RoundRobin", () => new RoundRobin()],
  ["RoundRobin chunked", () => new RoundRobin({ chunkSize: 3 })],
  ["LeastBytes", () => new LeastBytes()],
  ["Hash", () => new Hash()],
  ["ReferenceHash", () => new ReferenceHash()],
  ["CRC32Balancer", () => new CRC32Balancer()],
  ["CRC32Balancer consistent", () => new CRC32Balancer({ consistent: true })],
  ["Murmur2Balancer", () => new Murmur2Balancer()],
  ["Murmur2Balancer consistent", () => new Murmur2Balancer({ consistent: true })],
  ["StickyBalancer", () => new StickyBalancer({ stickyBatch: 4 })],
  ["balancerFunc", () => balancerFunc((_m, ps) => ps[ps.length - 1])],
];

describe("every balancer", () => {
  for (const [name, make] of ALL) {
    test(`${name}: picks one of the given partitions, whatever the list and key`, () => {
      const b = make();
      const lists = [[0], [0, 1, 2], [3, 7, 11], range(100), [5], range(7)];
      const ks: MessageInput["key"][] = [undefined, null, "", "a", enc.encode("bytes"), "ключ"];
      for (let i = 0; i < 600; i++) {
        const partitions = lists[i % lists.length];
        const p = b.balance(msg(ks[i % ks.length]), partitions);
        assert.ok(partitions.includes(p), `${p} not in ${partitions.join(",")}`);
      }
    });

    test(`${name}: an empty partition list is a RangeError`, () => {
      assert.throws(() => make().balance(msg("k"), []), RangeError);
      assert.throws(() => make().balance(msg(), []), /partitions is empty/);
    });
  }
});

describe("RoundRobin", () => {
  test("cycles through the partitions in order", () => {
    const rr = new RoundRobin();
    const picks = range(8).map(() => rr.balance(msg("ignored"), [4, 5, 6]));
    assert.deepEqual(picks, [4, 5, 6, 4, 5, 6, 4, 5]);
  });

  test("chunkSize sends that many messages to each partition", () => {
    const rr = new RoundRobin({ chunkSize: 2 });
    assert.equal(rr.chunkSize, 2);
    const picks = range(7).map(() => rr.balance(msg(), [0, 1, 2]));
    assert.deepEqual(picks, [0, 0, 1, 1, 2, 2, 0]);
  });

  test("continues over a changed partition list", () => {
    const rr = new RoundRobin();
    assert.deepEqual(range(2).map(() => rr.balance(msg(), [0, 1])), [0, 1]);
    // The counter is at 2: 2 % 3 = 2, then 0, 1.
    assert.deepEqual(range(3).map(() => rr.balance(msg(), [0, 1, 2])), [2, 0, 1]);
    assert.deepEqual(range(2).map(() => rr.balance(msg(), [9])), [9, 9]);
  });

  test("spreads evenly", () => {
    const rr = new RoundRobin({ chunkSize: 5 });
    const partitions = range(6);
    assertEven(range(6000).map(() => rr.balance(msg(), partitions)), partitions, 0);
  });

  test("a chunkSize that is not a positive integer is a RangeError naming it", () => {
    for (const chunkSize of [0, -1, 1.5, NaN, Infinity]) {
      assert.throws(() => new RoundRobin({ chunkSize }), (e: unknown) => {
        return e instanceof RangeError && /chunkSize/.test(e.message);
      });
    }
    assert.throws(() => new RoundRobin({ chunkSize: "2" as unknown as number }), TypeError);
  });
});

describe("LeastBytes", () => {
  test("picks the partition with the fewest bytes, the lowest id on ties", () => {
    const lb = new LeastBytes();
    const ps = [0, 1, 2];
    assert.equal(lb.balance(msg("k", "0123456789"), ps), 0); // 0: 11
    assert.equal(lb.balance(msg(null, "12345"), ps), 1); // 1: 5
    assert.equal(lb.balance(msg(undefined, "1234567"), ps), 2); // 2: 7
    assert.equal(lb.balance(msg(null, "1"), ps), 1); // 1: 6
    assert.equal(lb.balance(msg(null, "1"), ps), 1); // 1: 7, ties 2
    assert.equal(lb.balance(msg(null, "1"), ps), 1); // 1 and 2 tie at 7: the lowest, 1: 8
    assert.equal(lb.balance(msg(null, "1"), ps), 2); // 2: 8
    assert.equal(lb.balance(msg(null, "1234"), ps), 1); // 1 and 2 tie at 8: 1: 12
    assert.equal(lb.balance(msg(null, ""), ps), 2); // 2 has 8
  });

  test("counts key and value bytes, strings as UTF-8", () => {
    const lb = new LeastBytes();
    const ps = [0, 1];
    // "é€😀" is 2 + 3 + 4 = 9 bytes; a lone surrogate encodes as U+FFFD, 3 bytes.
    assert.equal(lb.balance(msg("é", "€😀"), ps), 0);
    assert.equal(lb.balance(msg(new Uint8Array(5), new Uint8Array(3)), ps), 1); // 8
    assert.equal(lb.balance(msg(null, "\ud800"), ps), 1); // 1: 8 < 9, then 11
    const one = new Uint8Array(1);
    assert.deepEqual(range(4).map(() => lb.balance(msg(null, one), ps)), [0, 0, 0, 1]); // 9 → 12
  });

  test("starts over when the partitions change", () => {
    const lb = new LeastBytes();
    assert.equal(lb.balance(msg(null, "xxxxxxxx"), [0, 1]), 0);
    assert.equal(lb.balance(msg(null, "x"), [0, 1]), 1);
    // Same length, other ids: fresh counts.
    assert.equal(lb.balance(msg(null, "x"), [2, 3]), 2);
    assert.equal(lb.balance(msg(null, "x"), [2, 3]), 3);
    assert.equal(lb.balance(msg(null, "x"), [0, 1, 2]), 0);
  });

  test("spreads equal messages evenly", () => {
    const lb = new LeastBytes();
    const ps = range(7);
    assertEven(range(7000).map(() => lb.balance(msg("k", "value"), ps)), ps, 0);
  });
});

describe("Hash (Sarama's hash partitioner, FNV-1a)", () => {
  // FNV-1a 32 values from Go's hash/fnv (tests/unit/wire/hashes_test.ts).
  const FNV: [string, number][] = [
    ["", 2166136261],
    ["a", 3826002220],
    ["21", 2364708844],
    ["foobar", 3214735720],
    ["kafkit", 1835730951],
  ];

  test("abs(int32(fnv1a) % n), for hashes with and without the top bit", () => {
    for (const [key, fnv] of FNV) {
      for (const n of [1, 2, 3, 6, 7, 32, 100]) {
        const p = new Hash().balance(msg(key), range(n));
        assert.equal(p, saramaIndex(fnv, n), `${JSON.stringify(key)} over ${n}`);
      }
    }
    // Worked by hand: int32(3826002220) = -468965076; -468965076 % 7 = -6.
    assert.equal(new Hash().balance(msg("a"), range(7)), 6);
    assert.equal(new Hash().balance(msg("a"), range(3)), 0);
    assert.equal(new Hash().balance(msg(""), range(7)), 2); // int32 -2128831035 % 7 = -2
  });

  test("the same partition for a string key and its UTF-8 bytes, on every call", () => {
    const hash = new Hash();
    for (const key of keys(500)) {
      const p = hash.balance(msg(key), range(7));
      assert.equal(hash.balance(msg(enc.encode(key)), range(7)), p);
      assert.equal(new Hash().balance(msg(key, "other value"), range(7)), p);
    }
  });

  test("maps to the i-th listed partition", () => {
    const ids = [10, 20, 30, 40, 50, 60, 70];
    for (const key of keys(100)) {
      assert.equal(new Hash().balance(msg(key), ids), ids[new Hash().balance(msg(key), range(7))]);
    }
  });

  test("messages without a key go round robin; an empty key is hashed", () => {
    const hash = new Hash();
    assert.deepEqual(range(4).map(() => hash.balance(msg(null), [0, 1, 2])), [0, 1, 2, 0]);
    assert.deepEqual(range(2).map(() => hash.balance(msg(), [0, 1, 2])), [1, 2]);
    assert.deepEqual(range(3).map(() => hash.balance(msg(""), range(7))), [2, 2, 2]);
    assert.equal(hash.balance(msg(new Uint8Array(0)), range(7)), 2);
  });

  test("spreads keys evenly, and follows the partition count", () => {
    const hash = new Hash();
    for (const n of [3, 6, 32]) {
      assertEven(keys(n * 1000).map((k) => hash.balance(msg(k), range(n))), range(n));
    }
  });

  test("a custom hasher (kafka-go's Hasher)", () => {
    const hash = new Hash({ hasher: (key) => key.length });
    assert.equal(hash.balance(msg("abcde"), range(3)), 2);
    assert.equal(new Hash({ hasher: () => -7 }).balance(msg("k"), range(4)), 3);
    assert.equal(new Hash({ hasher: () => 0xffffffff }).balance(msg("k"), range(4)), 1);
    assert.throws(() => new Hash({ hasher: 5 as unknown as () => number }), TypeError);
  });
});

describe("ReferenceHash (Sarama's reference hash partitioner)", () => {
  test("(int32(fnv1a) & 0x7fffffff) % n", () => {
    assert.equal(new ReferenceHash().balance(msg("a"), range(3)), 2); // 1678518572 % 3
    assert.equal(new ReferenceHash().balance(msg("a"), range(7)), 3); // 1678518572 % 7
    assert.equal(new ReferenceHash().balance(msg("kafkit"), range(7)), 1835730951 % 7);
    assert.equal(new ReferenceHash().balance(msg(""), range(7)), (2166136261 & 0x7fffffff) % 7);
    let differs = 0;
    for (const key of keys(1000)) {
      const p = new ReferenceHash().balance(msg(key), range(7));
      assert.equal(new ReferenceHash().balance(msg(enc.encode(key)), range(7)), p);
      if (p !== new Hash().balance(msg(key), range(7))) differs++;
    }
    // Keys whose hash has the top bit set mostly land elsewhere than with Hash.
    assert.ok(differs > 300 && differs < 600, `${differs}`);
  });

  test("messages without a key go to random partitions", () => {
    const rh = new ReferenceHash();
    assertEven(range(6000).map(() => rh.balance(msg(null), range(6))), range(6), 0.2);
  });
});

describe("CRC32Balancer (librdkafka's consistent and consistent_random)", () => {
  test("crc32(key) % n, unsigned", () => {
    // CRC-32 of "a" is 3904355907 (java.util.zip.CRC32).
    for (const consistent of [false, true]) {
      const crc = new CRC32Balancer({ consistent });
      assert.equal(crc.consistent, consistent);
      assert.equal(crc.balance(msg("a"), range(4)), 3904355907 % 4);
      assert.equal(crc.balance(msg("a"), range(100)), 3904355907 % 100);
      assert.equal(crc.balance(msg(enc.encode("21")), range(7)), 4252452532 % 7);
    }
  });

  test("consistent: missing and empty keys go to the first partition (crc32 of nothing is 0)", () => {
    const crc = new CRC32Balancer({ consistent: true });
    for (const key of [null, undefined, "", new Uint8Array(0)]) {
      assert.equal(crc.balance(msg(key), [4, 5, 6]), 4);
    }
  });

  test("otherwise missing and empty keys go to random partitions", () => {
    const crc = new CRC32Balancer();
    for (const key of [null, ""]) {
      assertEven(range(6000).map(() => crc.balance(msg(key), range(3))), range(3), 0.2);
    }
  });

  test("spreads keys evenly", () => {
    const crc = new CRC32Balancer();
    assertEven(keys(6000).map((k) => crc.balance(msg(k), range(6))), range(6));
  });

  test("a non-boolean consistent is a TypeError naming it", () => {
    assert.throws(
      () => new CRC32Balancer({ consistent: 1 as unknown as boolean }),
      /consistent must be a boolean/,
    );
  });
});

describe("Murmur2Balancer (the Java client; librdkafka's murmur2 and murmur2_random)", () => {
  // Utils.murmur2 values from the Java client (tests/unit/wire/hashes_test.ts).
  const JAVA: [string, number][] = [
    ["", 275646681],
    ["a", -1563381124],
    ["21", -973932308],
    ["foobar", -790332482],
    ["kafkit", -1581087225],
  ];

  test("(murmur2(key) & 0x7fffffff) % n", () => {
    for (const [key, hash] of JAVA) {
      for (const n of [1, 3, 6, 7, 32, 100]) {
        const want = (hash & 0x7fffffff) % n;
        assert.equal(new Murmur2Balancer().balance(msg(key), range(n)), want, `${key} ${n}`);
        assert.equal(new StickyBalancer().balance(msg(enc.encode(key)), range(n)), want);
      }
    }
    assert.equal(new Murmur2Balancer().balance(msg("a"), range(3)), 1);
  });

  test("an empty key is hashed; a missing key too with consistent, else random", () => {
    const emptyAt7 = 275646681 % 7;
    for (const consistent of [false, true]) {
      assert.equal(new Murmur2Balancer({ consistent }).balance(msg(""), range(7)), emptyAt7);
    }
    const consistent = new Murmur2Balancer({ consistent: true });
    assert.equal(consistent.balance(msg(null), range(7)), emptyAt7);
    assert.equal(consistent.balance(msg(), range(7)), emptyAt7);
    const random = new Murmur2Balancer();
    assertEven(range(6000).map(() => random.balance(msg(null), range(3))), range(3), 0.2);
  });

  test("spreads keys evenly and follows the partition count", () => {
    const m = new Murmur2Balancer();
    for (const n of [6, 7]) {
      assertEven(keys(n * 1000).map((k) => m.balance(msg(k), range(n))), range(n));
    }
  });
});

describe("StickyBalancer", () => {
  test("messages without a key stick to one partition for stickyBatch messages, then move", () => {
    const sticky = new StickyBalancer({ stickyBatch: 5 });
    assert.equal(sticky.stickyBatch, 5);
    const ps = range(6);
    let previous = -1;
    for (let round = 0; round < 50; round++) {
      const picks = range(5).map(() => sticky.balance(msg(null), ps));
      assert.equal(new Set(picks).size, 1, `round ${round}: ${picks}`);
      assert.notEqual(picks[0], previous, "moves to another partition");
      previous = picks[0];
    }
  });

  test("keyed messages in between neither move nor count against the sticky partition", () => {
    const sticky = new StickyBalancer({ stickyBatch: 3 });
    const ps = range(32);
    const first = sticky.balance(msg(), ps);
    for (const key of keys(20)) sticky.balance(msg(key), ps);
    assert.equal(sticky.balance(msg(), ps), first);
    assert.equal(sticky.balance(msg(null), ps), first);
    assert.notEqual(sticky.balance(msg(null), ps), first);
  });

  test("onBatchFlushed for the sticky partition moves on; for another it does nothing", () => {
    const sticky = new StickyBalancer();
    const ps = range(4);
    const first = sticky.balance(msg(), ps);
    sticky.onBatchFlushed((first + 1) % 4);
    assert.equal(sticky.balance(msg(), ps), first);
    sticky.onBatchFlushed(first);
    const second = sticky.balance(msg(), ps);
    assert.notEqual(second, first);
    assert.equal(sticky.balance(msg(), ps), second);
  });

  test("moves when its partition disappears; stays on a single partition", () => {
    const sticky = new StickyBalancer({ stickyBatch: 2 });
    const p = sticky.balance(msg(), [0, 1, 2]);
    const others = [0, 1, 2].filter((x) => x !== p);
    assert.ok(others.includes(sticky.balance(msg(), others)));
    assert.deepEqual(range(5).map(() => sticky.balance(msg(), [7])), [7, 7, 7, 7, 7]);
  });

  test("sticky partitions are spread evenly over time", () => {
    const sticky = new StickyBalancer({ stickyBatch: 1 });
    assertEven(range(6000).map(() => sticky.balance(msg(), range(4))), range(4), 0.2);
  });

  test("a stickyBatch that is not a positive integer is a RangeError naming it", () => {
    assert.equal(new StickyBalancer().stickyBatch, 100);
    for (const stickyBatch of [0, -3, 2.5]) {
      assert.throws(() => new StickyBalancer({ stickyBatch }), /stickyBatch must be a positive/);
    }
  });
});

describe("balancerFunc", () => {
  test("calls the function with the message and partitions", () => {
    const seen: [MessageInput, readonly number[]][] = [];
    const b = balancerFunc((m, ps) => {
      seen.push([m, ps]);
      return ps[1];
    });
    const m = msg("k");
    assert.equal(b.balance(m, [3, 4]), 4);
    assert.equal(seen[0][0], m);
    assert.deepEqual(seen[0][1], [3, 4]);
  });

  test("a result that is not one of the partitions is a RangeError", () => {
    assert.throws(() => balancerFunc(() => 9).balance(msg(), [0, 1]), /returned 9/);
    assert.throws(() => balancerFunc(() => NaN).balance(msg(), [0, 1]), RangeError);
  });

  test("a non-function is a TypeError", () => {
    assert.throws(() => balancerFunc(42 as unknown as () => number), TypeError);
  });
});
