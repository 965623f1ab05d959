/**
 * Reads Apache Kafka's JSON message specs (../shared/kafka-protocol/message): the model the
 * protocol generator emits code from and the protocol tests derive sample messages from.
 * Portable (node:fs), so tests can use it on Deno, Bun and Node.
 *
 * @module
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One field of a message or struct, as the spec writes it. */
export interface SpecField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  ignorable?: boolean;
  flexibleVersions?: string;
  entityType?: string;
  fields?: SpecField[];
}

/** One spec file: a request, response, header or standalone data schema. */
export interface Spec {
  apiKey?: number;
  type: "request" | "response" | "header" | "data";
  name: string;
  validVersions: string;
  flexibleVersions: string;
  listeners?: string[];
  latestVersionUnstable?: boolean;
  fields: SpecField[];
  commonStructs?: { name: string; versions: string; fields: SpecField[] }[];
}

/** An inclusive version range; `hi` is Infinity for "N+". Empty when lo > hi. */
export interface Range {
  lo: number;
  hi: number;
}

/** Primitive field types; anything else names a struct. */
export const PRIMITIVES: ReadonlySet<string> = new Set([
  "bool",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "float64",
  "string",
  "uuid",
  "bytes",
  "records",
]);

/** Parses "3+", "0-2", "5" or "none" (empty) into a range. */
export function parseRange(text: string | undefined): Range {
  if (text === undefined || text === "none") return { lo: 1, hi: 0 };
  if (text.endsWith("+")) return { lo: Number(text.slice(0, -1)), hi: Infinity };
  const [lo, hi] = text.split("-").map(Number);
  return { lo, hi: hi ?? lo };
}

/** Whether `version` is inside the range text. */
export function inRange(text: string | undefined, version: number): boolean {
  const r = parseRange(text);
  return version >= r.lo && version <= r.hi;
}

/** `[]X` → { array: true, base: X }. */
export function baseType(type: string): { array: boolean; base: string } {
  return type.startsWith("[]")
    ? { array: true, base: type.slice(2) }
    : { array: false, base: type };
}

/** The spec folder: ../shared/kafka-protocol/message beside the checkout (searched upward). */
export function specsDir(): string {
  for (
    let dir = dirname(fileURLToPath(import.meta.url));
    dir !== dirname(dir);
    dir = dirname(dir)
  ) {
    const candidate = join(dir, "..", "shared", "kafka-protocol", "message");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("../shared/kafka-protocol/message not found beside the checkout");
}

/** Loads every spec file, sorted by file name. */
export function loadSpecs(dir: string = specsDir()): Spec[] {
  return readdirSync(dir).filter((n) => n.endsWith(".json")).sort().map((file) =>
    // The specs are JSON with whole-line `//` comments.
    JSON.parse(readFileSync(join(dir, file), "utf8").replace(/^\s*\/\/.*$/gm, ""))
  );
}

/** The struct definitions a spec declares inline or in `commonStructs`, by name. */
export function structDefinitions(spec: Spec): Map<string, SpecField[]> {
  const defs = new Map((spec.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const walk = (fields: SpecField[]) => {
    for (const f of fields) {
      if (!f.fields) continue;
      defs.set(baseType(f.type).base, f.fields);
      walk(f.fields);
    }
  };
  walk(spec.fields ?? []);
  return defs;
}
