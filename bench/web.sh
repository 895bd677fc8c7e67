#!/usr/bin/env bash
# Load the web server on loopback with wrk: recording sessions (PUT, each a
# new session) and reading a patient's history of two years of daily data.
# Bounded: each run lasts DURATION seconds (default 15) at 64 connections.
# Usage: bash bench/web.sh [sqlite|postgres]   (results go in docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
duration="${DURATION:-15}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p knead-cli
knead="$PWD/target/release/knead"
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
"$knead" serve --addr "127.0.0.1:$port" --database-url "$url" 2>"$dir/server.log" &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  [ "$backend" = postgres ] && psql "$base" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/api/openapi.json" >/dev/null && break; sleep 0.1; done

eval "$(python3 bench/web-setup.py "http://127.0.0.1:$port")"
export KNEAD_COOKIE KNEAD_CSRF KNEAD_SCREENING KNEAD_PACK

rss() { ps -o rss= -p "$server" | awk '{printf "%.0f MB", $1/1024}'; }
echo "== $backend: record a session (PUT /api/v1/sessions/{id}), 64 connections, ${duration}s"
wrk -t2 -c64 -d"${duration}s" --latency -s bench/web-session.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|requests .* errors"
echo "server resident: $(rss)"

# A second patient with two years of daily sessions, then read their history.
eval "$(python3 bench/web-setup.py "http://127.0.0.1:$port" 730)"
echo "== $backend: history of two years of daily sessions (GET /api/v1/sessions), 64 connections, ${duration}s"
wrk -t2 -c64 -d"${duration}s" --latency -H "Cookie: $KNEAD_COOKIE" "http://127.0.0.1:$port/api/v1/sessions" \
  | grep -E "Requests/sec|99%|50%|Non-2xx"
echo "server resident: $(rss)"
