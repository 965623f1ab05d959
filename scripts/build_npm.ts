/**
 * Builds the npm package with the TypeScript compiler.
 *
 *   deno run -A scripts/build_npm.ts [--pack]
 *
 * 1. tsc compiles mod.ts, src/, tests/, examples/, the demo, the benchmarks and the chaos
 *    script to ESM JavaScript with `.d.ts` files in npm/build/, rewriting `.ts` import
 *    specifiers to `.js` (Node 20 runs the tests, examples, benchmarks and chaos script there).
 *    The examples import "@kafkit/kafkit" as users do: the build resolves it to mod.ts and
 *    leaves the name in the output (examples_test.ts points it at the build).
 * 2. npm/package/ gets the library part of that build, a package.json made from
 *    npm/package.template.json, deno.json's version and package.json's dependencies, the
 *    README and the LICENSE. The JSDoc examples in it import "kafkit" (npm's name) instead of
 *    "@kafkit/kafkit" (JSR's), so they run as written where the package is installed.
 * 3. With --pack, `npm pack` writes npm/kafkit-<version>.tgz.
 *
 * @module
 */

import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BUILD = join(ROOT, "npm", "build");
const PACKAGE = join(ROOT, "npm", "package");

function run(cmd: string, args: string[], cwd = ROOT): void {
  const r = spawnSync(cmd, args, { cwd, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed with status ${r.status}`);
}

function compile(): void {
  rmSync(BUILD, { recursive: true, force: true });
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2023", "DOM", "ESNext.Disposable"],
      types: ["node"],
      strict: true,
      erasableSyntaxOnly: true,
      noImplicitOverride: true,
      rewriteRelativeImportExtensions: true,
      declaration: true,
      skipLibCheck: true,
      rootDir: "..",
      outDir: "build",
      paths: { "@kafkit/kafkit": ["../mod.ts"] },
    },
    files: ["runtime_globals.d.ts"],
    include: [
      "../mod.ts",
      "../src/**/*.ts",
      "../tests/**/*.ts",
      "../examples/*.ts",
      "../scripts/demo.ts",
      "../scripts/bench/records.ts",
      "../scripts/bench/compression.ts",
      "../scripts/chaos/leader_kills.ts",
    ],
  };
  const config = join(ROOT, "npm", "tsconfig.build.json");
  writeFileSync(config, JSON.stringify(tsconfig, null, 2) + "\n");
  try {
    run(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", config]);
  } finally {
    rmSync(config);
  }
  // Test fixtures the compiled tests read beside themselves.
  cpSync(join(ROOT, "tests", "golden"), join(BUILD, "tests", "golden"), { recursive: true });
}

/** Rewrites the JSR package name in the docs of the `.js` and `.d.ts` files under `dir`. */
function useNpmName(dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    if (!entry.endsWith(".js") && !entry.endsWith(".d.ts")) continue;
    const file = join(dir, entry);
    const text = readFileSync(file, "utf8");
    const npm = text.replace(/(["`])@kafkit\/kafkit/g, "$1kafkit");
    if (npm !== text) writeFileSync(file, npm);
  }
}

function assemble(): string {
  rmSync(PACKAGE, { recursive: true, force: true });
  mkdirSync(PACKAGE, { recursive: true });
  for (const f of ["mod.js", "mod.d.ts"]) cpSync(join(BUILD, f), join(PACKAGE, f));
  cpSync(join(BUILD, "src"), join(PACKAGE, "src"), { recursive: true });
  useNpmName(PACKAGE);
  for (const f of ["README.md", "LICENSE"]) cpSync(join(ROOT, f), join(PACKAGE, f));
  const deno = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
  const dev = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const template = JSON.parse(readFileSync(join(ROOT, "npm", "package.template.json"), "utf8"));
  const pkg = { ...template, version: deno.version, dependencies: dev.dependencies };
  writeFileSync(join(PACKAGE, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  return deno.version;
}

if (import.meta.main) {
  compile();
  const version = assemble();
  console.log(`built npm/package (kafkit ${version}) and npm/build (tests for Node 20)`);
  if (Deno.args.includes("--pack")) {
    run("npm", ["pack", "--silent", "--pack-destination", ".."], PACKAGE);
    console.log(`packed npm/kafkit-${version}.tgz`);
  }
}
