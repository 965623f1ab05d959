#!/usr/bin/env bash
# Builds the API reference: `deno doc --html` over the package's entry points (deno.json
# "exports", as JSR documents them) into docs/ (git-ignored, not committed; about 10 s, so
# scripts/test.sh does not run it: its `deno doc --lint` checks the same JSDoc).
#   deno task docs      then open docs/index.html
# A bash script, not a deno command in the task: deno task runs a node_modules/.bin entry as
# JavaScript, and the deno of this project's node_modules is a binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exports=$(deno eval 'console.log(Object.values(JSON.parse(Deno.readTextFileSync("deno.json")).exports).join(" "))')
# shellcheck disable=SC2086 # one path per word
deno doc --html --name=kafkit --output=docs/ $exports
