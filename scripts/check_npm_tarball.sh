#!/usr/bin/env bash
# Installs the npm tarball into an empty folder and imports it under Node 20 and Bun.
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
