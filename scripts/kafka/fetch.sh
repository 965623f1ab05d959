#!/usr/bin/env bash
# Copies Apache Kafka's jars (listed in pom.xml) into a cache folder outside git and prints
# that folder. Idempotent: a marker holding pom.xml's hash is written after a complete copy,
# so later runs return at once unless pom.xml changed. Uses $KAFKIT_CACHE if set, and
# $KAFKIT_KAFKA_VERSION (default 4.3.1) in place of pom.xml's kafka.version.
set -euo pipefail

KAFKA_VERSION="${KAFKIT_KAFKA_VERSION:-4.3.1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pom="$here/pom.xml"
home="${KAFKIT_CACHE:-$HOME/.cache/kafkit}/kafka-$KAFKA_VERSION"
libs="$home/libs"
marker="$home/.complete"

pom_hash() { sha256sum "$pom" | cut -d' ' -f1; }

is_complete() { [[ -d "$libs" && -f "$marker" && "$(cat "$marker")" == "$(pom_hash)" ]]; }

if is_complete; then
  echo "$libs"
  exit 0
fi

mkdir -p "$home"
# Serialize concurrent fetches (e.g. parallel test jobs) on one lock file.
exec 9>"$home/.lock"
flock 9
if ! is_complete; then
  staging="$(mktemp -d "$home/libs.tmp.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  echo "fetching Kafka $KAFKA_VERSION jars into $libs" >&2
  # mvn's output goes to stderr (stdout carries only the path), minus the stray colour codes
  # that -B does not suppress; pipefail keeps mvn's exit status.
  mvn -q -B -f "$pom" dependency:copy-dependencies -Dkafka.version="$KAFKA_VERSION" \
    -DoutputDirectory="$staging" -DincludeScope=runtime 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
  chmod 755 "$staging" # mktemp made it private; the jars are not secret
  rm -rf "$libs" "$marker"
  mv "$staging" "$libs"
  trap - EXIT
  pom_hash >"$marker"
fi
echo "$libs"
