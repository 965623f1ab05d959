#!/usr/bin/env bash
# Runs test files on Deno against a single Kafka node of another release (say 3.9.1, or a
# 4.0.x formatted with KAFKIT_KAFKA_FEATURES=transaction.version=1), then stops it and prints
# pass/fail per file. Not part of CI: a check of how kafkit fares with older brokers, where
# failures of tests that need newer features are expected (the report says which).
#
#   bash scripts/compat.sh <kafka-version> [test files...]
#
# Default files: the transaction tests and the core read/write/group ones. The broker runs in
# its own state folder, ${KAFKIT_COMPAT_STATE:-/tmp/kafkit-compat} (never the shared
# broker's), started afresh (so it is surely of that version) and stopped on exit. Each
# file's output goes to $KAFKIT_COMPAT_LOGS (default: a temporary folder, printed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ $# -lt 1 ]]; then
  echo "usage: bash scripts/compat.sh <kafka-version> [test files...]" >&2
  exit 2
fi
version=$1
shift
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  files=(tests/integration/transactions_test.ts tests/integration/exactly_once_test.ts
    tests/integration/reader_test.ts tests/integration/writer_test.ts
    tests/integration/group_test.ts tests/integration/read_committed_test.ts
    tests/integration/fetch_session_test.ts tests/integration/conn_test.ts
    tests/integration/compression_interop_test.ts tests/integration/admin/*_test.ts)
fi
[[ -d node_modules/.bin ]] && export PATH="$PWD/node_modules/.bin:$PATH"
export KAFKIT_STATE="${KAFKIT_COMPAT_STATE:-/tmp/kafkit-compat}" KAFKIT_KAFKA_VERSION="$version"
export NO_COLOR=1
logs="${KAFKIT_COMPAT_LOGS:-$(mktemp -d)}"
mkdir -p "$logs"
harness() { deno run -A scripts/kafka/harness.ts "$@"; }
trap 'harness down >/dev/null 2>&1 || true' EXIT

# A state folder left up by an earlier run may hold another version: start afresh.
harness down >/dev/null 2>&1 || true
harness up >/dev/null
set -a
# shellcheck disable=SC1091
source "$KAFKIT_STATE/single/env"
set +a
# The Java interop peers stay the default release's (4.x tool classes and options, which
# talk to older brokers too); only the broker is of `version`.
KAFKA_LIBS="$(env -u KAFKIT_KAFKA_VERSION bash scripts/kafka/fetch.sh)"
export KAFKA_LIBS
echo "Kafka $KAFKA_VERSION at $KAFKA_BROKERS (state $KAFKIT_STATE, Java tools $KAFKA_LIBS, logs $logs)"

failed_files=0
for file in "${files[@]}"; do
  log="$logs/$(echo "${file#tests/}" | tr / _).log"
  if deno test -A "$file" >"$log" 2>&1; then status=ok; else status=FAILED failed_files=$((failed_files + 1)); fi
  # Deno's closing line: "ok | 5 passed (12 steps) | 0 failed (0 steps) (3s)".
  summary=$(grep -E '^(ok|FAILED) \|' "$log" | tail -1 || true)
  printf '%-7s %-52s %s\n' "$status" "$file" "${summary:-(no summary: see $log)}"
done
echo "Kafka $version: $((${#files[@]} - failed_files)) of ${#files[@]} files passed (logs in $logs)"
[[ $failed_files -eq 0 ]]
