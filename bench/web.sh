#!/usr/bin/env bash
# Load the web server on loopback with wrk: recording sessions (PUT, each a
# new session) and reading a patient's history of two years of daily data.
# Recording runs twice: spread over PATIENTS patients (default 64), then all
# from one patient (whose every write waits on the same lock). On PostgreSQL,
# pgbench runs beside each recording run, in the same database, the least
# that recording asks of PostgreSQL: a person's row locked and one row
# inserted per transaction (bench/pgbench-lock-insert.sql), over as many
# persons and as many connections.
# Bounded: each run lasts DURATION seconds (default 15) at 64 connections.
# Usage: [KNEAD=binary] bash bench/web.sh [sqlite|postgres]   (results go in docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
duration="${DURATION:-15}"
patients="${PATIENTS:-64}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
# KNEAD=path/to/knead measures that build (to pair two commits); by default
# this tree's, built here.
if [ -z "${KNEAD:-}" ]; then
  cargo build --release -q -p knead-cli
  KNEAD="$PWD/target/release/knead"
fi
knead="$KNEAD"
dir="$(mktemp -d)"
port=18080
case "$backend" in
  sqlite) url="sqlite://$dir/server.sqlite3" ;;
  postgres)
    base="$(bash .ci/postgres)"
    db="knead_bench_$$"
    psql "$base" -qc "CREATE DATABASE $db" >/dev/null
    url="${base%/*}/$db"
    ;;
  *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac
# Trusting loopback as a proxy lets the setup sign each patient in from an
# address of its own; the load itself sends no forwarded address.
"$knead" serve --addr "127.0.0.1:$port" --database-url "$url" --trusted-proxy 127.0.0.1/32 2>"$dir/server.log" &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  [ "$backend" = postgres ] && psql "$base" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/api/openapi.json" >/dev/null && break; sleep 0.1; done

eval "$(python3 bench/web-setup.py "http://127.0.0.1:$port" 0 "$patients")"
export KNEAD_COOKIE KNEAD_CSRF KNEAD_SCREENING KNEAD_PACK KNEAD_PATIENTS

rss() { ps -o rss= -p "$server" | awk '{printf "%.0f MB", $1/1024}'; }
if [ "$backend" = postgres ]; then
  psql "$url" -q >/dev/null <<SQL
CREATE TABLE bench_persons (n int PRIMARY KEY);
INSERT INTO bench_persons SELECT generate_series(1, $patients);
CREATE TABLE bench_sessions (id uuid PRIMARY KEY, person int NOT NULL REFERENCES bench_persons,
  started_at timestamptz NOT NULL, usage text NOT NULL);
CREATE INDEX ON bench_sessions (person, started_at);
SQL
fi
pgbench_run() {
  [ "$backend" = postgres ] || return 0
  echo "== pgbench: lock a person's row, insert one row; $1 persons, 64 connections, ${duration}s"
  pgbench -n -M prepared -c 64 -j 2 -T "$duration" -D persons="$1" -f bench/pgbench-lock-insert.sql "$url" 2>&1 \
    | grep -E "^tps|latency average|failed"
}
record_run() {
  echo "== $backend: record a session (PUT /api/v1/sessions/{id}), $1 patients, 64 connections, ${duration}s"
  wrk -t2 -c64 -d"${duration}s" --latency -s bench/web-session.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|requests .* errors"
  echo "server resident: $(rss)"
}
pgbench_run "$patients"
record_run "$patients"
pgbench_run 1
KNEAD_PATIENTS="" record_run 1

# A second patient with two years of daily sessions, then read their history.
eval "$(python3 bench/web-setup.py "http://127.0.0.1:$port" 730)"
echo "== $backend: history of two years of daily sessions (GET /api/v1/sessions), 64 connections, ${duration}s"
wrk -t2 -c64 -d"${duration}s" --latency -H "Cookie: $KNEAD_COOKIE" "http://127.0.0.1:$port/api/v1/sessions" \
  | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "server resident: $(rss)"
