#!/usr/bin/env node
// The npm package's `kafkit` bin (npx kafkit, bunx kafkit): runs the CLI. Node 22+ keeps
// its compiled modules in a cache between runs (each run is short: start-up counts).
import module from "node:module";

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { runProcess } = await import("./main.ts");
await runProcess();
