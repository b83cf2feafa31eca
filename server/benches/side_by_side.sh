#!/usr/bin/env bash
# Issue 15's side-by-side measures (docs/benchmarks.md): the release server next to what
# the machine can do without it, in one run, on the same Postgres and the same files:
#   - lead intake (wrk, 32 connections, one lead per request) against pgbench inserting the
#     same row one per transaction into a table shaped like `leads` (insert.sql);
#   - the stylesheet and the wasm, as the page links them, against nginx serving the same
#     files (nginx.conf).
# Each pair runs twice, alternating, and prints its ratio and our p99. Needs the release
# build (scripts/bench makes it), wrk, nginx and pgbench (scripts/setup --for-bench).
#
#   server/benches/side_by_side.sh [seconds per measure, default 10]
set -euo pipefail
cd "$(dirname "$0")/../.."
source server/benches/lib.sh
here=server/benches/side_by_side
secs=${1:-10}
dir=$PWD/target/bench-side-by-side
port=3410
nginx_port=3411
rm -rf "$dir"
mkdir -p "$dir/tmp"

export HCRM_DATA_DIR=$dir/data LEPTOS_SITE_ADDR=127.0.0.1:$port APP_DOMAIN=localhost:$port \
  INTAKE_LIMIT=1000000000/1m RUST_LOG=warn STAFF_TWO_FACTOR=optional
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
target/release/server >"$dir/server.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$port/readyz"
BENCH_KEY=$(bench_key)
export BENCH_KEY BENCH_HOST=bench.localhost:$port
db_url=$(embedded_db_url "$dir/data")
psql "$db_url" -q -c "create table bench_leads (like leads including all)"

sed -e "s|NGINX_PORT|$nginx_port|" -e "s|SITE_ROOT|$PWD/target/site|" "$here/nginx.conf" >"$dir/nginx.conf"
nginx -p "$dir" -c "$dir/nginx.conf" &
pids+=($!)
sleep 0.5

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" -v p="$3" -v pt="$4" 'BEGIN { print (r >= t && p < pt) ? "met" : "NOT met" }'; }

# A short unreported run of each first: pools connected, caches and the table warm.
intake_load 3 "http://127.0.0.1:$port/api/leads/intake" >/dev/null
pgbench -n -c 32 -j 2 -T 3 -f "$here/insert.sql" "$db_url" >/dev/null 2>&1

echo "| measure | ours (req/s) | reference (req/s) | ratio | our p99 | target |"
echo "|---|---|---|---|---|---|"
for round in 1 2; do
  read -r rps p99 bad < <(intake_load "$secs" "http://127.0.0.1:$port/api/leads/intake")
  [ "$bad" = 0 ] || echo "warning: $bad intake answers were not 2xx" >&2
  tps=$(pgbench -n -c 32 -j 2 -T "$secs" -f "$here/insert.sql" "$db_url" 2>/dev/null | awk '/^tps/ { printf "%.0f", $3 }')
  r=$(ratio "$rps" "$tps")
  echo "| intake, run $round (vs pgbench insert) | $rps | $tps | ${r}× | $p99 ms | ≥ 1.0×, p99 < 20 ms: $(verdict "$r" 1.0 "$p99" 20) |"
done
for file in css wasm; do
  name=$(awk -v f="$file" '$1 == f ":" { print $2 }' target/release/hash.txt)
  path=/pkg/hcrm.$name.$file
  curl -fs -o /dev/null "http://127.0.0.1:$port$path"
  for round in 1 2; do
    read -r rps p99 _ < <(wrk_summary "$secs" "http://127.0.0.1:$port$path")
    read -r nginx_rps _ _ < <(wrk_summary "$secs" "http://127.0.0.1:$nginx_port$path")
    r=$(ratio "$rps" "$nginx_rps")
    echo "| $path, run $round (vs nginx) | $rps | $nginx_rps | ${r}× | $p99 ms | ≥ 0.5×: $(verdict "$r" 0.5 0 1) |"
  done
done
