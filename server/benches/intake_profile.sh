#!/usr/bin/env bash
# Where intake's time goes (docs/benchmarks.md, "Intake"): the release server, one
# workspace, wrk with 32 connections posting one lead per request, as in side_by_side.sh;
# printed per run: requests/s, p99, the CPU the server and Postgres used (ticks of 10 ms:
# two cores give 2,000 in 10 s) and the mean leads per batch (`hcrm_intake_batch_leads`).
# `INTAKE_PROFILE_SQL`, if set, runs against the database before the load: to see what a
# piece of the schema costs (e.g. "alter table leads disable trigger leads_counted_on_insert").
# Other settings reach the server as usual (e.g. INTAKE_WRITERS=1). Needs the release build
# and wrk (scripts/setup --for-bench).
#
#   server/benches/intake_profile.sh [runs, default 3] [seconds per run, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
source server/benches/lib.sh
runs=${1:-3}
secs=${2:-10}
dir=$PWD/target/bench-intake-profile
port=3412
token=intake-profile-metrics-token

# Ticks of user and system CPU used so far by the processes $@.
ticks() {
  for pid in "$@"; do
    awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || true
  done | awk '{ s += $1 } END { print s + 0 }'
}

# "<leads> <batches>" written so far (`hcrm_intake_batch_leads`).
batches() {
  curl -fs -H "Host: localhost:$port" -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/metrics" |
    awk '/^hcrm_intake_batch_leads_sum/ { s = $2 } /^hcrm_intake_batch_leads_count/ { c = $2 }
         END { print s + 0, c + 0 }'
}

# Postgres's processes: the postmaster and its children (backends, WAL writer, …).
postgres() { echo "$postmaster" $(pgrep -P "$postmaster"); }

echo "| run | req/s | p99 | server CPU | Postgres CPU | leads per batch |"
echo "|---|---|---|---|---|---|"
for run in $(seq "$runs"); do
  rm -rf "$dir"
  mkdir -p "$dir"
  HCRM_DATA_DIR=$dir/data LEPTOS_SITE_ADDR=127.0.0.1:$port APP_DOMAIN=localhost:$port \
    INTAKE_LIMIT=1000000000/1m RUST_LOG=warn STAFF_TWO_FACTOR=optional METRICS_TOKEN=$token \
    target/release/server >"$dir/server.log" 2>&1 &
  server=$!
  wait_ready "http://127.0.0.1:$port/readyz"
  BENCH_KEY=$(HCRM_DATA_DIR=$dir/data bench_key)
  export BENCH_KEY BENCH_HOST=bench.localhost:$port
  postmaster=$(sed -n 1p "$dir/data/postgres/postmaster.pid")
  [ -z "${INTAKE_PROFILE_SQL:-}" ] || psql "$(embedded_db_url "$dir/data")" -q -c "$INTAKE_PROFILE_SQL"
  intake=http://127.0.0.1:$port/api/leads/intake
  intake_load 3 "$intake" >/dev/null # warm-up: pools connected, caches and the table warm
  read -r leads0 count0 < <(batches)
  server0=$(ticks "$server")
  pg0=$(ticks $(postgres))
  read -r rps p99 _ < <(intake_load "$secs" "$intake")
  server1=$(ticks "$server")
  pg1=$(ticks $(postgres))
  read -r leads1 count1 < <(batches)
  kill "$server"
  wait "$server" 2>/dev/null || true
  per_batch=$(awk -v l=$((leads1 - leads0)) -v c=$((count1 - count0)) \
    'BEGIN { printf "%.1f", c ? l / c : 0 }')
  echo "| $run | $rps | $p99 ms | $((server1 - server0)) | $((pg1 - pg0)) | $per_batch |"
done
