/**
 * Generates src/protocol/generated/ from Apache Kafka's JSON message specs in
 * ../shared/kafka-protocol/message: one module per API key with typed request and response
 * objects and their codecs for every valid version, plus the headers and the standalone
 * `data` schemas. The output carries names, types and version ranges only.
 *
 *   deno run -A scripts/gen_protocol.ts           write the modules
 *   deno run -A scripts/gen_protocol.ts --check   fail if the committed modules differ
 *
 * @module
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  baseType,
  loadSpecs,
  parseRange,
  PRIMITIVES,
  type Range,
  type Spec,
  type SpecField,
} from "./_kafka_specs.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = join(ROOT, "src", "protocol", "generated");
const KAFKA_VERSION = "4.3.1";

// ---------------------------------------------------------------------------------------
// Emitting code

/** The emit context for one message: its version range and struct naming. */
interface MessageContext {
  spec: Spec;
  valid: Range;
  flexible: Range;
  /** Whether fields are optional in the emitted types (requests and headers). */
  optional: boolean;
  /** Spec struct name → emitted TypeScript name. */
  structNames: Map<string, string>;
  /** Struct definitions to emit, by spec name. */
  structs: Map<string, StructUse>;
}

function camel(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}

function snake(name: string): string {
  return name.replace("KRaft", "Kraft").replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(
    /([A-Z])([A-Z][a-z])/g,
    "$1_$2",
  )
    .toLowerCase();
}

/**
 * A TypeScript condition for `version` being inside `r`, given that it is already known to
 * be inside `within`; "true" or "false" when that decides it.
 */
function versionCheck(r: Range, within: Range): string {
  const lo = Math.max(r.lo, within.lo);
  const hi = Math.min(r.hi, within.hi);
  if (lo > hi) return "false";
  const parts: string[] = [];
  if (lo > within.lo) parts.push(`version >= ${lo}`);
  if (hi < within.hi) parts.push(`version <= ${hi}`);
  return parts.length === 0 ? "true" : parts.join(" && ");
}

/** The versions of `scope` in which field `f` is present. */
function within(f: SpecField, scope: Range): Range {
  const r = parseRange(f.versions);
  return { lo: Math.max(r.lo, scope.lo), hi: Math.min(r.hi, scope.hi) };
}

function intersects(a: Range, b: Range): boolean {
  return Math.max(a.lo, b.lo) <= Math.min(a.hi, b.hi);
}

function tsPrimitive(base: string): string {
  switch (base) {
    case "bool":
      return "boolean";
    case "int64":
      return "bigint";
    case "string":
    case "uuid":
      return "string";
    case "bytes":
    case "records":
      return "Uint8Array";
    default:
      return "number";
  }
}

function isNullable(f: SpecField, ctx: MessageContext): boolean {
  return intersects(parseRange(f.nullableVersions), ctx.valid);
}

function tsType(f: SpecField, ctx: MessageContext): string {
  const { array, base } = baseType(f.type);
  const elem = PRIMITIVES.has(base) ? tsPrimitive(base) : ctx.structNames.get(base)!;
  const t = array ? `${elem}[]` : elem;
  return isNullable(f, ctx) ? `${t} | null` : t;
}

function defaultValue(f: SpecField, ctx: MessageContext): string {
  const { array, base } = baseType(f.type);
  const d = f.default;
  if (d === "null") return "null";
  if (array) return "[]";
  if (!PRIMITIVES.has(base)) return `default${ctx.structNames.get(base)}()`;
  switch (base) {
    case "bool":
      return d === true || d === "true" ? "true" : "false";
    case "int64":
      return `${BigInt(d === undefined || d === "" ? 0 : d)}n`;
    case "string":
      return JSON.stringify(d ?? "");
    case "uuid":
      return "ZERO_UUID";
    case "bytes":
    case "records":
      return "new Uint8Array(0)";
    case "float64":
      return String(Number(d ?? 0));
    default:
      return String(Number(d ?? 0));
  }
}

/** The flexible-encoding test for a field (a field may override the message's setting). */
function flexOf(f: SpecField): string {
  return f.flexibleVersions === undefined
    ? "flex"
    : f.flexibleVersions === "none"
    ? "false"
    : `version >= ${parseRange(f.flexibleVersions).lo}`;
}

const WRITE_FIXED: Record<string, string> = {
  bool: "bool",
  int8: "int8",
  int16: "int16",
  uint16: "uint16",
  int32: "int32",
  uint32: "uint32",
  int64: "int64",
  float64: "float64",
  uuid: "uuid",
};

function writeValue(base: string, e: string, flex: string, ctx: MessageContext): string {
  if (base in WRITE_FIXED) return `w.${WRITE_FIXED[base]}(${e});`;
  if (base === "string") return pick(flex, `w.compactString(${e});`, `w.string(${e});`);
  if (base === "bytes" || base === "records") {
    return pick(flex, `w.compactBytes(${e});`, `w.bytesField(${e});`);
  }
  return `write${ctx.structNames.get(base)}(w, ${e}, version);`;
}

function readValue(base: string, flex: string, nullable: string, ctx: MessageContext): string {
  if (base in WRITE_FIXED) return `r.${WRITE_FIXED[base]}()`;
  if (base === "string" || base === "bytes" || base === "records") {
    const kind = base === "string" ? "String" : "Bytes";
    const classic = kind === "String" ? "string" : "bytes";
    const nonNull = pickExpr(flex, `r.compact${kind}()`, `r.${classic}()`);
    const orNull = pickExpr(flex, `r.compactNullable${kind}()`, `r.nullable${kind}()`);
    return pickExpr(nullable, orNull, nonNull);
  }
  return `read${ctx.structNames.get(base)}(r, version)`;
}

function pick(cond: string, yes: string, no: string): string {
  if (cond === "true") return yes;
  if (cond === "false") return no;
  return `if (${cond}) ${yes.replace(/;$/, "")};\nelse ${no}`;
}

function pickExpr(cond: string, yes: string, no: string): string {
  if (cond === "true") return yes;
  if (cond === "false") return no;
  return `(${cond} ? ${yes} : ${no})`;
}

/** Statements writing one field's value `e` (inside the field's versions). */
function writeField(
  f: SpecField,
  e: string,
  ctx: MessageContext,
  scope: Range,
  flex: string,
): string {
  const { array, base } = baseType(f.type);
  const nullable = isNullable(f, ctx);
  const lines: string[] = [];
  const nullCheck = nullable
    ? versionCheck(parseRange(f.nullableVersions), within(f, scope))
    : "true";
  if (nullCheck !== "true") {
    lines.push(
      `if (${e} === null && !(${nullCheck})) nullNotAllowed("${ctx.spec.name}.${f.name}", version);`,
    );
  }
  if (array) {
    const elem = writeValue(base, "item", flex, ctx);
    const length = pick(flex, `w.uvarint(${e}.length + 1);`, `w.int32(${e}.length);`);
    const loop = `for (const item of ${e}) ${elem.includes("\n") ? `{ ${elem} }` : elem}`;
    if (nullable) {
      lines.push(`if (${e} === null) { ${pick(flex, "w.uvarint(0);", "w.int32(-1);")} }`);
      lines.push(`else { ${length}\n${loop} }`);
    } else {
      lines.push(length, loop);
    }
  } else if (!PRIMITIVES.has(base) && nullable) {
    lines.push(
      `if (${e} === null) w.int8(-1);`,
      `else { w.int8(1); ${writeValue(base, e, flex, ctx)} }`,
    );
  } else {
    lines.push(writeValue(base, e, flex, ctx));
  }
  return lines.join("\n");
}

/** An expression reading one field's value (inside the field's versions). */
function readField(f: SpecField, ctx: MessageContext, scope: Range, flex: string): string {
  const { array, base } = baseType(f.type);
  const nullable = isNullable(f, ctx)
    ? versionCheck(parseRange(f.nullableVersions), within(f, scope))
    : "false";
  if (array) {
    const elem = readValue(base, flex, "false", ctx);
    return nullable === "false"
      ? `readArray(r, ${flex}, () => ${elem})`
      : `readNullableArray(r, ${flex}, ${nullable}, () => ${elem})`;
  }
  if (!PRIMITIVES.has(base) && nullable !== "false") {
    return `(r.int8() < 0 ? null : ${readValue(base, flex, "false", ctx)})`;
  }
  return readValue(base, flex, nullable, ctx);
}

/** The field's value in `v`; in optional (request) types, its default when left out. */
function fieldOrDefault(f: SpecField, ctx: MessageContext): string {
  const name = `v.${camel(f.name)}`;
  if (!ctx.optional) return name;
  const d = defaultValue(f, ctx);
  // `??` would also replace an explicit null, which nullable fields must keep.
  return isNullable(f, ctx) && d !== "null"
    ? `(${name} === undefined ? ${d} : ${name})`
    : `(${name} ?? ${d})`;
}

/** Whether a value differs from the field's default, to decide if a tagged field is sent. */
function differsFromDefault(f: SpecField, e: string, ctx: MessageContext): string {
  const { array, base } = baseType(f.type);
  const d = defaultValue(f, ctx);
  if (array) return d === "null" ? `${e} !== null` : `${e}.length !== 0`;
  if (!PRIMITIVES.has(base) || base === "bytes" || base === "records") {
    return `!deepEqual(${e}, ${d})`;
  }
  return `${e} !== ${d}`;
}

function emitStruct(
  name: string,
  fields: SpecField[],
  ctx: MessageContext,
  scope: Range,
  top: boolean,
): string {
  const tsName = top ? name : ctx.structNames.get(name)!;
  const present = fields.filter((f) => intersects(parseRange(f.versions), scope));
  const opt = ctx.optional ? "?" : "";
  const out: string[] = [];

  out.push(
    `/** ${top ? `Kafka ${ctx.spec.name}` : `Part of ${ctx.spec.name}`}, versions ${
      rangeText(scope)
    }. */`,
  );
  out.push(`export interface ${tsName} {`);
  for (const f of present) {
    out.push(`/** ${fieldDoc(f, scope)} */`, `${camel(f.name)}${opt}: ${tsType(f, ctx)};`);
  }
  out.push(`}`, ``);

  // Default value factory (fresh objects: callers may mutate what decoding returns).
  out.push(`/** Returns ${tsName} with every field at its default. */`);
  out.push(`export function default${tsName}(): ${tsName} {`);
  out.push(`return {`);
  for (const f of present) out.push(`${camel(f.name)}: ${defaultValue(f, ctx)},`);
  out.push(`};`, `}`, ``);

  const flexCheck = versionCheck(ctx.flexible, scope);
  const usesFlex = (text: string) => /\bflex\b/.test(text);

  // Writer.
  const body: string[] = [];
  const tagged: SpecField[] = [];
  for (const f of present) {
    if (f.tag !== undefined) {
      tagged.push(f);
      continue;
    }
    const e = fieldOrDefault(f, ctx);
    const cond = versionCheck(parseRange(f.versions), scope);
    const local = `v_${camel(f.name)}`;
    const code = writeField(f, local, ctx, scope, flexOf(f));
    const stmt = `const ${local} = ${e};\n${code}`;
    body.push(cond === "true" ? stmt : `if (${cond}) {\n${stmt}\n}`);
  }
  const tagCodes: string[] = [];
  if (flexCheck !== "false") {
    tagged.sort((a, b) => a.tag! - b.tag!);
    const checks: string[] = [];
    for (const f of tagged) {
      const e = fieldOrDefault(f, ctx);
      const local = `t_${camel(f.name)}`;
      const cond = versionCheck(parseRange(f.taggedVersions ?? f.versions), scope);
      checks.push(`const ${local} = ${e};`);
      const send = `send_${camel(f.name)}`;
      checks.push(
        `const ${send} = ${cond === "true" ? "" : `${cond} && `}${
          differsFromDefault(f, local, ctx)
        };`,
      );
      tagCodes.push(
        `if (${send}) writeTagged(w, ${f.tag}, (w) => { ${
          writeField(f, local, ctx, scope, "true")
        } });`,
      );
    }
    if (tagged.length === 0) {
      body.push(flexCheck === "true" ? `w.uvarint(0);` : `if (flex) w.uvarint(0);`);
    } else {
      const count = tagged.map((f) => `(send_${camel(f.name)} ? 1 : 0)`).join(" + ");
      const block = [...checks, `w.uvarint(${count});`, ...tagCodes].join("\n");
      body.push(flexCheck === "true" ? block : `if (flex) {\n${block}\n}`);
    }
  }
  const wBody = body.join("\n");
  out.push(
    `/** Encodes ${tsName} at \`version\`. */`,
    `export function write${tsName}(w: ByteWriter, v: ${tsName}, version: number): void {`,
  );
  const wFull = (usesFlex(wBody) ? `const flex = ${flexCheck};\n` : "") + wBody;
  for (const param of ["w", "v", "version"]) {
    if (!new RegExp(`(?<!\\.)\\b${param}\\b`).test(wFull)) out.push(`void ${param};`);
  }
  out.push(wFull, `}`, ``);

  // Reader.
  const rBody: string[] = [];
  for (const f of present) {
    const local = `v_${camel(f.name)}`;
    if (f.tag !== undefined) {
      rBody.push(`let ${local}: ${tsType(f, ctx)} = ${defaultValue(f, ctx)};`);
      continue;
    }
    const cond = versionCheck(parseRange(f.versions), scope);
    const read = readField(f, ctx, scope, flexOf(f));
    rBody.push(
      `const ${local}: ${tsType(f, ctx)} = ${
        cond === "true" ? read : `${cond} ? ${read} : ${defaultValue(f, ctx)}`
      };`,
    );
  }
  if (flexCheck !== "false") {
    const cases: string[] = [];
    for (const f of tagged) {
      const cond = versionCheck(parseRange(f.taggedVersions ?? f.versions), scope);
      const read = readField(f, ctx, scope, "true");
      cases.push(
        `if (tag === ${f.tag}${cond === "true" ? "" : ` && ${cond}`}) v_${
          camel(f.name)
        } = ${read};`,
      );
    }
    const loop = tagged.length === 0
      ? `skipTags(r);`
      : `readTags(r, (tag) => {\n${cases.join("\nelse ")}\nelse return false;\nreturn true;\n});`;
    rBody.push(flexCheck === "true" ? loop : `if (flex) ${loop}`);
  }
  const obj = present.map((f) => `${camel(f.name)}: v_${camel(f.name)}`).join(", ");
  rBody.push(`return { ${obj} };`);
  const rText = rBody.join("\n");
  out.push(
    `/** Decodes ${tsName} at \`version\`. */`,
    `export function read${tsName}(r: ByteReader, version: number): ${tsName} {`,
  );
  const rFull = (usesFlex(rText) ? `const flex = ${flexCheck};\n` : "") + rText;
  if (!/(?<!\.)\bversion\b(?!:)/.test(rFull)) out.push(`void version;`);
  out.push(rFull, `}`, ``);
  return out.join("\n");
}

function rangeText(r: Range): string {
  return r.hi === Infinity ? `${r.lo}+` : r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`;
}

/**
 * A field's doc, from the spec's facts: its name and wire type (and entity), the versions that
 * have it when not all of the struct's do, where it may be null, whether it is tagged, and a
 * default other than the type's zero.
 */
function fieldDoc(f: SpecField, scope: Range): string {
  const facts = [`\`${f.name}\`: ${f.type}${f.entityType ? ` (${f.entityType})` : ""}`];
  const r = parseRange(f.versions);
  if (r.lo > scope.lo || r.hi < scope.hi) facts.push(`versions ${rangeText(r)}`);
  if (f.nullableVersions) facts.push(`nullable in ${rangeText(parseRange(f.nullableVersions))}`);
  if (f.taggedVersions) {
    facts.push(`tagged (tag ${f.tag}) in ${rangeText(parseRange(f.taggedVersions))}`);
  }
  if (f.default !== undefined) facts.push(`default ${f.default}`);
  return `${facts.join(", ")}.`;
}

/** A struct definition and the versions in which any field refers to it. */
interface StructUse {
  fields: SpecField[];
  scope: Range;
}

/** Collects every struct a message uses, in first-use order, with the versions it appears in. */
function collectStructs(spec: Spec): Map<string, StructUse> {
  const common = new Map((spec.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const found = new Map<string, StructUse>();
  const walk = (fields: SpecField[], scope: Range) => {
    for (const f of fields) {
      const { base } = baseType(f.type);
      if (PRIMITIVES.has(base)) continue;
      const def = f.fields ?? common.get(base);
      if (!def) throw new Error(`${spec.name}.${f.name}: unknown struct ${base}`);
      const r = parseRange(f.versions);
      const used = { lo: Math.max(r.lo, scope.lo), hi: Math.min(r.hi, scope.hi) };
      if (used.lo > used.hi) continue;
      const seen = found.get(base);
      if (seen && seen.scope.lo <= used.lo && seen.scope.hi >= used.hi) continue;
      const scopeNow = seen
        ? { lo: Math.min(seen.scope.lo, used.lo), hi: Math.max(seen.scope.hi, used.hi) }
        : used;
      found.set(base, { fields: def, scope: scopeNow });
      walk(def, scopeNow);
    }
  };
  walk(spec.fields ?? [], parseRange(spec.validVersions));
  return found;
}

function context(spec: Spec, structNames: Map<string, string>): MessageContext {
  const valid = parseRange(spec.validVersions);
  return {
    spec,
    valid,
    flexible: parseRange(spec.flexibleVersions),
    optional: spec.type === "request" || spec.type === "header",
    structNames,
    structs: collectStructs(spec),
  };
}

/** Emits every struct of a message, nested ones first. */
function emitMessage(ctx: MessageContext): string {
  const parts: string[] = [];
  for (const [name, use] of ctx.structs) {
    parts.push(emitStruct(name, use.fields, ctx, use.scope, false));
  }
  parts.push(emitStruct(ctx.spec.name, ctx.spec.fields, ctx, ctx.valid, true));
  return parts.join("\n");
}

/**
 * Names each message's structs after the spec, prefixed with the message name where the
 * same struct name appears in another message, so every exported name is unique.
 */
function nameStructs(specs: Spec[]): Map<string, Map<string, string>> {
  const uses = new Map<string, number>();
  const structSets = new Map(specs.map((s) => [s.name, [...collectStructs(s).keys()]]));
  for (const names of structSets.values()) {
    for (const n of names) uses.set(n, (uses.get(n) ?? 0) + 1);
  }
  const messageNames = new Set(specs.map((s) => s.name));
  const result = new Map<string, Map<string, string>>();
  for (const [message, names] of structSets) {
    const clash = (n: string) => (uses.get(n) ?? 0) > 1 || messageNames.has(n);
    result.set(message, new Map(names.map((n) => [n, clash(n) ? `${message}${n}` : n])));
  }
  return result;
}

function imports(code: string): string {
  const want = (name: string) => new RegExp(`\\b${name}\\b`).test(code);
  const codec = [
    "deepEqual",
    "nullNotAllowed",
    "readArray",
    "readNullableArray",
    "readTags",
    "skipTags",
    "writeTagged",
  ].filter(want);
  const lines = [
    `import type { ByteReader } from "../../wire/byte_reader.ts";`,
    `import type { ByteWriter } from "../../wire/byte_writer.ts";`,
  ];
  if (want("ZERO_UUID")) lines.push(`import { ZERO_UUID } from "../../wire/uuid.ts";`);
  if (codec.length) lines.push(`import { ${codec.join(", ")} } from "../_codec.ts";`);
  if (want("ApiTarget")) lines.push(`import type { Api, ApiTarget } from "../api.ts";`);
  return lines.join("\n");
}

function banner(files: string[]): string {
  return `// Generated by scripts/gen_protocol.ts from Apache Kafka ${KAFKA_VERSION}'s ${
    files.join(" and ")
  }.\n// DO NOT EDIT: change the generator and run \`deno task gen\`.\n`;
}

/**
 * APIs whose partitions each go to their leader (the specs do not say so): the client splits
 * such a request by leader.
 */
const LEADER_APIS = new Set([
  "Produce",
  "Fetch",
  "ListOffsets",
  "OffsetForLeaderEpoch",
  "DeleteRecords",
  "ShareFetch",
  "ShareAcknowledge",
]);

/** Which broker a request must go to, from its listeners and top-level entity fields. */
function targetOf(req: Spec): string {
  if (LEADER_APIS.has(req.name.replace(/Request$/, ""))) return "leader";
  const l = req.listeners ?? [];
  if (l.length > 0 && !l.includes("broker")) return "controller";
  if (req.fields.some((f) => f.entityType === "groupId")) return "group";
  if (req.fields.some((f) => f.entityType === "transactionalId")) return "transaction";
  return "any";
}

function emitApi(
  req: Spec,
  res: Spec,
  names: Map<string, Map<string, string>>,
): { file: string; code: string; exportName: string } {
  const reqCtx = context(req, names.get(req.name)!);
  const resCtx = context(res, names.get(res.name)!);
  const base = req.name.replace(/Request$/, "");
  const valid = parseRange(req.validVersions);
  const flexible = parseRange(req.flexibleVersions);
  const body = [emitMessage(reqCtx), emitMessage(resCtx)].join("\n");
  const descriptor = [
    `/** The ${base} API (key ${req.apiKey}): versions, routing and codecs. */`,
    `export const ${base}: Api<${req.name}, ${res.name}> = {`,
    `key: ${req.apiKey},`,
    `name: "${base}",`,
    `minVersion: ${valid.lo},`,
    `maxVersion: ${valid.hi},`,
    `latestVersionUnstable: ${req.latestVersionUnstable === true},`,
    `flexibleVersion: ${flexible.lo <= flexible.hi ? flexible.lo : -1},`,
    `responseFlexibleVersion: ${
      parseRange(res.flexibleVersions).lo <= parseRange(res.flexibleVersions).hi
        ? parseRange(res.flexibleVersions).lo
        : -1
    },`,
    `target: "${targetOf(req)}" satisfies ApiTarget,`,
    `listeners: ${JSON.stringify(req.listeners ?? [])},`,
    `writeRequest: write${req.name},`,
    `readRequest: read${req.name},`,
    `writeResponse: write${res.name},`,
    `readResponse: read${res.name},`,
    `};`,
  ].join("\n");
  const code = `${banner([`${req.name}.json`, `${res.name}.json`])}\n${
    imports(body + descriptor)
  }\n\n${body}\n${descriptor}\n`;
  return { file: `${snake(base)}.ts`, code, exportName: base };
}

function emitStandalone(
  spec: Spec,
  names: Map<string, Map<string, string>>,
): { file: string; code: string } {
  const body = emitMessage(context(spec, names.get(spec.name)!));
  return {
    file: `${snake(spec.name)}.ts`,
    code: `${banner([`${spec.name}.json`])}\n${imports(body)}\n\n${body}`,
  };
}

// ---------------------------------------------------------------------------------------
// Main

function generate(): Map<string, string> {
  const specs = loadSpecs();
  const byName = new Map(specs.map((s) => [s.name, s]));
  const names = nameStructs(specs);
  const out = new Map<string, string>();
  const index: string[] = [];
  const apis: string[] = [];
  for (
    const req of specs.filter((s) => s.type === "request").sort((a, b) => a.apiKey! - b.apiKey!)
  ) {
    if (parseRange(req.validVersions).lo > parseRange(req.validVersions).hi) continue;
    const res = byName.get(req.name.replace(/Request$/, "Response"));
    if (!res) throw new Error(`no response spec for ${req.name}`);
    const api = emitApi(req, res, names);
    out.set(api.file, api.code);
    index.push(`export * from "./${api.file}";`);
    apis.push(api.exportName);
  }
  for (const spec of specs.filter((s) => s.type === "header" || s.type === "data")) {
    const m = emitStandalone(spec, names);
    out.set(m.file, m.code);
    index.push(`export * from "./${m.file}";`);
  }
  const list = [
    banner(["message specs"]),
    `import type { Api } from "../api.ts";`,
    `import { ${apis.join(", ")} } from "./index.ts";`,
    ``,
    `/** Every API this Kafka release defines, by key. */`,
    `// deno-lint-ignore no-explicit-any`,
    `export const ALL_APIS: readonly Api<any, any>[] = [${apis.join(", ")}];`,
    ``,
  ].join("\n");
  out.set("all.ts", list);
  out.set("index.ts", `${banner(["message specs"])}\n${index.join("\n")}\n`);
  return out;
}

async function format(dir: string): Promise<void> {
  const deno = Deno.execPath();
  const cmd = new Deno.Command(deno, {
    args: ["fmt", "--quiet", "--config", join(ROOT, "deno.json"), dir],
    stdout: "inherit",
    stderr: "inherit",
  });
  const { code } = await cmd.output();
  if (code !== 0) throw new Error("deno fmt failed on the generated code");
}

/** Lists the files in `dir` that differ from `want` (missing, changed or extra). */
function staleFiles(dir: string, want: Map<string, string>): string[] {
  const stale: string[] = [];
  const have = new Set<string>();
  try {
    for (const e of Deno.readDirSync(dir)) have.add(e.name);
  } catch { /* no output yet */ }
  for (const [file, code] of want) {
    if (!have.delete(file) || Deno.readTextFileSync(join(dir, file)) !== code) stale.push(file);
  }
  return [...stale, ...[...have].map((f) => `${f} (not generated)`)];
}

async function main(): Promise<void> {
  const check = Deno.args.includes("--check");
  const tmp = Deno.makeTempDirSync({ prefix: "kafkit-gen-" });
  try {
    const modules = generate();
    for (const [file, code] of modules) Deno.writeTextFileSync(join(tmp, file), code);
    await format(tmp);
    const formatted = new Map(
      [...modules.keys()].map((f) => [f, Deno.readTextFileSync(join(tmp, f))]),
    );
    if (check) {
      const stale = staleFiles(OUT, formatted);
      if (stale.length) {
        console.error(`generated protocol code is stale: ${stale.join(", ")}`);
        console.error("run `deno task gen` and commit the result");
        Deno.exit(1);
      }
      console.log(`generated protocol code is up to date (${formatted.size} modules)`);
      return;
    }
    Deno.mkdirSync(OUT, { recursive: true });
    Deno.removeSync(OUT, { recursive: true });
    Deno.mkdirSync(OUT, { recursive: true });
    for (const [file, code] of formatted) Deno.writeTextFileSync(join(OUT, file), code);
    console.log(`wrote ${formatted.size} modules to ${OUT}`);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
}

if (import.meta.main) await main();
