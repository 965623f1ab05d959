// Sample messages generated from Kafka's specs, shared by the protocol tests.

import assert from "node:assert/strict";
import * as generated from "../../../src/protocol/generated/index.ts";
import type { ByteReader } from "../../../src/wire/byte_reader.ts";
import type { ByteWriter } from "../../../src/wire/byte_writer.ts";
import { uuidToString } from "../../../src/wire/uuid.ts";
import {
  baseType,
  inRange,
  loadSpecs,
  parseRange,
  PRIMITIVES,
  type Spec,
  type SpecField,
} from "../../../scripts/_kafka_specs.ts";

export type Codec = {
  write: (w: ByteWriter, v: unknown, version: number) => void;
  read: (r: ByteReader, version: number) => unknown;
};

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ["kafkit", "tópico", "グループ", "😀", "a", "with space", "x".repeat(40)];

export class Sampler {
  readonly #rng: () => number;
  readonly #defs: Map<string, SpecField[]>;
  constructor(seed: number, defs: Map<string, SpecField[]>) {
    this.#rng = prng(seed);
    this.#defs = defs;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.#rng() * (hi - lo + 1));
  }

  struct(fields: SpecField[], version: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (!inRange(f.versions, version)) continue;
      const nullable = inRange(f.nullableVersions, version);
      out[camel(f.name)] = nullable && this.#rng() < 0.2 ? null : this.value(f, version);
    }
    return out;
  }

  value(f: SpecField, version: number): unknown {
    const { array, base } = baseType(f.type);
    if (array) return Array.from({ length: this.int(1, 3) }, () => this.single(f, base, version));
    return this.single(f, base, version);
  }

  single(f: SpecField, base: string, version: number): unknown {
    switch (base) {
      case "bool":
        return !(f.default === true || f.default === "true");
      case "int8":
        return this.int(-128, 127) || 1;
      case "int16":
        return this.int(-32768, 32767) || 1;
      case "uint16":
        return this.int(1, 65535);
      case "int32":
        return this.int(-(2 ** 31), 2 ** 31 - 1) || 1;
      case "uint32":
        return this.int(1, 2 ** 32 - 1);
      case "int64":
        return BigInt.asIntN(
          64,
          (BigInt(this.int(0, 2 ** 32 - 1)) << 32n) | BigInt(this.int(1, 2 ** 32 - 1)),
        );
      case "float64":
        return (this.#rng() - 0.5) * 1e6;
      case "string":
        return WORDS[this.int(0, WORDS.length - 1)] + this.int(0, 999);
      case "uuid":
        return uuidToString(Uint8Array.from({ length: 16 }, () => this.int(0, 255)));
      case "bytes":
      case "records":
        return Uint8Array.from({ length: this.int(1, 20) }, () => this.int(0, 255));
    }
    const fields = this.#defs.get(base);
    assert.ok(fields, `struct ${base}`);
    return this.struct(fields, version);
  }
}

function camel(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}

/** Keeps only the fields present at `version` (decoding fills the others with defaults). */
export function project(
  value: unknown,
  fields: SpecField[],
  defs: Map<string, SpecField[]>,
  version: number,
): unknown {
  if (value === null || typeof value !== "object") return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!inRange(f.versions, version)) continue;
    const key = camel(f.name);
    const { array, base } = baseType(f.type);
    const v = obj[key];
    if (PRIMITIVES.has(base) || v === null) out[key] = v;
    else if (array) {
      out[key] = (v as unknown[]).map((e) => project(e, defs.get(base)!, defs, version));
    } else out[key] = project(v, defs.get(base)!, defs, version);
  }
  return out;
}

export function codecFor(spec: Spec): Codec {
  const mod = generated as unknown as Record<string, unknown>;
  const write = mod[`write${spec.name}`] as Codec["write"];
  const read = mod[`read${spec.name}`] as Codec["read"];
  assert.equal(typeof write, "function", `write${spec.name}`);
  assert.equal(typeof read, "function", `read${spec.name}`);
  return { write, read };
}

/** Every spec that has at least one valid version. */
export function liveSpecs(): Spec[] {
  return loadSpecs().filter((s) => {
    const r = parseRange(s.validVersions);
    return r.lo <= r.hi;
  });
}
