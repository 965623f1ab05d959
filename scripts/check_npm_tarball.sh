#!/usr/bin/env bash
# Installs the npm tarball into an empty folder and imports it under Node 20 and Bun, and
# require()s it from CommonJS under Node 20 (require(esm): what `engines` >=20.19 promises).
set -euo pipefail
tarball=$(realpath "$1")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
echo '{ "name": "tarball-check", "private": true, "type": "module" }' >package.json
npm install --no-audit --no-fund --loglevel=error "$tarball" >/dev/null
cat >check.mjs <<'JS'
import { DecodeError, VERSION, Writer } from "kafkit";
import { Cluster, Connection } from "kafkit/core";
import { ALL_APIS, ByteWriter, Metadata } from "kafkit/protocol";
if (typeof Connection.connect !== "function") throw new Error("Connection.connect missing");
if (typeof Cluster !== "function" || typeof Writer !== "function") {
  throw new Error("core or root exports are missing");
}
if (!(new DecodeError("x", 0) instanceof Error)) throw new Error("DecodeError is not an Error");
const w = new ByteWriter();
Metadata.writeRequest(w, { topics: null }, 12);
if (w.length !== 4 || ALL_APIS.length < 80) throw new Error("protocol exports are broken");
const runtime = typeof Bun === "undefined" ? `node ${process.version}` : `bun ${Bun.version}`;
console.log(`kafkit ${VERSION} imports under ${runtime} (${ALL_APIS.length} APIs)`);
JS
"${NODE20:-node}" check.mjs
"$root/node_modules/.bin/bun" check.mjs
cat >check.cjs <<'JS'
const { readFileSync } = require("node:fs");
const { dirname, join } = require("node:path");
const pkg = join(dirname(require.resolve("kafkit")), "package.json");
const { engines } = JSON.parse(readFileSync(pkg, "utf8"));
const { VERSION, Writer } = require("kafkit");
const { Cluster } = require("kafkit/core");
if (typeof Writer !== "function" || typeof Cluster !== "function") throw new Error("require() lost exports");
const [major, minor] = process.versions.node.split(".").map(Number);
if (engines.node !== ">=20.19" || major < 20 || (major === 20 && minor < 19)) {
  throw new Error(`engines ${engines.node} does not hold for node ${process.version}`);
}
console.log(`kafkit ${VERSION} require()s under node ${process.version} (engines ${engines.node})`);
JS
"${NODE20:-node}" check.cjs
# The shipped JSDoc examples import npm's name, not JSR's (a quoted specifier; the CLI's docs name
# its jsr: URL on purpose).
if grep -rlE '["'"'"'"]@kafkit/kafkit' node_modules/kafkit --include='*.js' --include='*.d.ts'; then
  echo "the npm package still names @kafkit/kafkit in the files above" >&2
  exit 1
fi
