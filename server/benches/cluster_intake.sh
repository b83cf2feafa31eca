#!/usr/bin/env bash
# Intake through haproxy to two instances (scripts/cluster) against one instance alone,
# same load, same machine (docs/benchmarks.md, "Issue 14"). Needs the release build.
#   server/benches/cluster_intake.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source server/benches/lib.sh
secs=${1:-10}
dir=$PWD/target/bench-cluster
port=3420
rm -rf "$dir"
mkdir -p "$dir"

export HCRM_DATA_DIR=$dir/data LEPTOS_SITE_ADDR=127.0.0.1:$port APP_DOMAIN=localhost:$port \
  INTAKE_LIMIT=1000000000/1m RUST_LOG=warn STAFF_TWO_FACTOR=optional CLUSTER_BUILD=0
scripts/cluster >"$dir/cluster.log" 2>&1 &
cluster=$!
trap 'kill -TERM "$cluster" 2>/dev/null; wait "$cluster" 2>/dev/null' EXIT
wait_ready "http://127.0.0.1:$port/readyz" "http://127.0.0.1:$((port + 2))/readyz"
BENCH_KEY=$(bench_key)
export BENCH_KEY BENCH_HOST=bench.localhost:$port
proxy=http://127.0.0.1:$port/api/leads/intake
alone=http://127.0.0.1:$((port + 1))/api/leads/intake
intake_load 3 "$proxy" >/dev/null

echo "| run | through haproxy, 2 instances (req/s, p99) | instance 1 alone (req/s, p99) | ratio |"
echo "|---|---|---|---|"
for round in 1 2; do
  read -r p_rps p_p99 p_bad < <(intake_load "$secs" "$proxy")
  read -r a_rps a_p99 a_bad < <(intake_load "$secs" "$alone")
  [ "$p_bad$a_bad" = 00 ] || echo "warning: non-2xx answers: $p_bad through haproxy, $a_bad alone" >&2
  echo "| $round | $p_rps, $p_p99 ms | $a_rps, $a_p99 ms | $(awk -v a="$p_rps" -v b="$a_rps" 'BEGIN { printf "%.2f", a / b }')× |"
done
