# Shared by the load scripts in this folder (sourced, not run; from the repository's root).

# Waits until every URL given answers 200 (at most 30 s).
wait_ready() {
  for _ in $(seq 150); do
    local url ready=1
    for url in "$@"; do
      curl -fs -o /dev/null "$url" || ready=0
    done
    [ "$ready" = 1 ] && return 0
    sleep 0.2
  done
  echo "error: not ready: $*" >&2
  return 1
}

# Provisions the workspace `bench` (with the server's HCRM_DATA_DIR) and prints its API key.
bench_key() {
  target/release/hcrm provision-tenant bench "Bench Ltd" admin@bench.test |
    awk '/API key/ { getline; print $1 }'
}

# The owner's URL of the embedded Postgres under the data directory $1.
embedded_db_url() {
  echo "postgres://postgres:$(cat "$1/postgres.password")@127.0.0.1:$(sed -n 4p "$1/postgres/postmaster.pid")/hcrm"
}

# "<requests/s> <p99 in ms> <non-2xx>" of one wrk run, 32 connections, for $1 seconds,
# with wrk's other arguments after it.
wrk_summary() {
  local secs=$1
  shift
  wrk -t2 -c32 -d"${secs}s" --latency "$@" 2>&1 | awk '
    /Requests\/sec/ { rps = $2 }
    / 99% / { p = $2; if (p ~ /us$/) p = p / 1000; else if (p ~ /ms$/) p = p + 0; else if (p ~ /s$/) p = p * 1000 }
    /Non-2xx/ { bad = $5 }
    END { printf "%.0f %.2f %d\n", rps, p, bad }'
}

# Intake load for $1 seconds on the intake URL $2: one lead per request
# (side_by_side/intake.lua), with the key $BENCH_KEY and the Host $BENCH_HOST.
intake_load() {
  wrk_summary "$1" -s server/benches/side_by_side/intake.lua "$2"
}
