// The README's code blocks, run as a reader would run them, so the README cannot rot: each
// ```ts / ```js block is written to a file and run by the runtime running this test, in README
// order, and must exit 0. What the test changes: the imports point at this checkout (the
// sources, or the npm build under Node 20), "localhost:9092" at the test broker, and the topic
// and group names get a per-run suffix. A block marked `ignore` is reported as a skipped test
// (never run, never counted as passed). TypeScript blocks claim Deno, Bun and Node 24+ (they
// use `await using`); JavaScript blocks claim every runtime, Node 20 included.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kafkaEnv, RUNTIME } from "../_env.ts";
import { localImports, ROOT, RUNS_TS, runScript } from "../_run_script.ts";

/** A fenced code block of the README. */
interface Block {
  lang: "ts" | "js";
  /** The line of its opening fence. */
  line: number;
  ignored: boolean;
  code: string;
}

/** The ts and js blocks of `markdown`, in order. */
export function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|js|typescript|javascript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    while (++i < lines.length && !/^```\s*$/.test(lines[i])) body.push(lines[i]);
    blocks.push({
      lang: open[1].startsWith("t") ? "ts" : "js",
      line: start + 1,
      ignored: /\bignore\b/.test(open[2]),
      code: body.join("\n") + "\n",
    });
  }
  return blocks;
}

/** The block as it runs here: local imports, the test broker, this run's names. */
function localize(code: string, names: Map<string, string>): string {
  let out = localImports(code).replaceAll(
    '"localhost:9092"',
    JSON.stringify(kafkaEnv("KAFKA_BROKERS").split(",")[0]),
  );
  for (const [name, unique] of names) {
    out = out.replaceAll(JSON.stringify(name), JSON.stringify(unique));
  }
  return out;
}

/** Every topic and group name the blocks use, each with a suffix unique to this run. */
function runNames(blocks: Block[]): Map<string, string> {
  const suffix = `${RUNTIME.replace(/\W/g, "")}-${Date.now()}`;
  const names = new Map<string, string>();
  for (const b of blocks) {
    for (const m of b.code.matchAll(/\b(?:topic|groupId): "([^"]+)"/g)) {
      names.set(m[1], `kafkit-readme-${m[1]}-${suffix}`);
    }
  }
  return names;
}

const BLOCKS = codeBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
const NAMES = runNames(BLOCKS);
// Beside the npm build (git- and lint-ignored), so a run that is killed leaves nothing behind.
const DIR = mkdtempSync(join(ROOT, "npm", ".readme-run-"));

describe(`README examples (${RUNTIME})`, () => {
  after(() => rmSync(DIR, { recursive: true, force: true }));

  test("the README has runnable blocks of both kinds", () => {
    assert.ok(BLOCKS.filter((b) => !b.ignored && b.lang === "ts").length >= 4);
    assert.ok(BLOCKS.some((b) => !b.ignored && b.lang === "js"), "a block for Node 20");
  });

  for (const block of BLOCKS) {
    const name = `${block.lang} block at README.md:${block.line}`;
    if (block.ignored) {
      test.skip(`${name}: marked ignore in the README, not run`);
      continue;
    }
    if (block.lang === "ts" && !RUNS_TS) {
      test.skip(`${name}: TypeScript with await using, claimed for Deno, Bun and Node 24+ only`);
      continue;
    }
    test(`${name} runs and exits 0`, async () => {
      const file = join(DIR, `line${block.line}.${block.lang === "ts" ? "mts" : "mjs"}`);
      writeFileSync(file, localize(block.code, NAMES));
      const { code, output } = await runScript(file, { timeout: 60_000 });
      assert.equal(code, 0, `${name} failed:\n${output}`);
    });
  }
});
