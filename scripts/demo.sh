#!/usr/bin/env bash
# Sets everything up and runs the demo: starts a local Kafka unless KAFKA_BROKERS is set,
# writes three records and reads them back, then stops the Kafka it started.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"
if [[ -z ${KAFKA_BROKERS:-} ]]; then
  echo "demo: starting a local Kafka (scripts/kafka/harness.ts up)"
  deno run -A scripts/kafka/harness.ts up >/dev/null
  trap 'deno run -A scripts/kafka/harness.ts down >/dev/null 2>&1' EXIT
  set -a
  source "${KAFKIT_STATE:-/tmp/kafkit-kafka}/single/env"
  set +a
fi
deno run -A scripts/demo.ts
