#!/usr/bin/env node
// The npm package's `kafkit` bin (npx kafkit, bunx kafkit): runs the CLI.
import { runProcess } from "./main.ts";

await runProcess();
