/**
 * Java `.properties` files (the form of Kafka client configs): `key=value`, `key: value` or
 * `key value` lines, `#`/`!` comments, backslash continuations and escapes.
 *
 * @module
 */

/** Reads the entries of a `.properties` text; a later key wins over an earlier one. */
export function parseProperties(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of logicalLines(text)) {
    const [key, value] = splitEntry(line);
    entries.set(unescape(key), unescape(value));
  }
  return entries;
}

/** Joins continued lines (an odd number of trailing backslashes), drops blanks and comments. */
function* logicalLines(text: string): Generator<string> {
  let pending: string | null = null;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line: string = pending === null ? raw.trimStart() : pending + raw.trimStart();
    pending = null;
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const trailing = line.length - line.replace(/\\+$/, "").length;
    if (trailing % 2 === 1) {
      pending = line.slice(0, -1);
      continue;
    }
    yield line;
  }
  if (pending !== null && pending !== "") yield pending;
}

/** Splits at the first unescaped `=`, `:` or whitespace (with whitespace around a separator). */
function splitEntry(line: string): [string, string] {
  let i = 0;
  while (i < line.length && !/[=:\s]/.test(line[i])) i += line[i] === "\\" ? 2 : 1;
  const key = line.slice(0, i);
  let rest = line.slice(i).trimStart();
  if (rest.startsWith("=") || rest.startsWith(":")) rest = rest.slice(1).trimStart();
  return [key, rest];
}

const ESCAPES: Record<string, string> = { t: "\t", n: "\n", r: "\r", f: "\f" };

function unescape(s: string): string {
  return s.replace(
    /\\(u[0-9a-fA-F]{4}|.)/g,
    (_, e: string) =>
      e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ESCAPES[e] ?? e,
  );
}
