#!/usr/bin/env bash
# Benchmark `knead history`, `knead progress` and start-up on a journal of
# ten years at six sessions a day (~22,000 sessions), with hyperfine.
# Bounded: a fixed number of runs per command. Results go in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
cargo build --release --locked -q
knead="$PWD/target/release/knead"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 bench/make-journal.py 3650 6 > "$dir/journal.json"
"$knead" --data-dir "$dir/data" import "$dir/journal.json"
hyperfine -N --output=null --warmup 3 --runs 30 --export-markdown "${1:-/dev/stdout}" \
  -n 'history (last 30 of 22k sessions)' "$knead --data-dir $dir/data history" \
  -n 'history --all (22k sessions)' "$knead --data-dir $dir/data history --all" \
  -n 'history --format json' "$knead --data-dir $dir/data history --format json" \
  -n 'progress (22k sessions)' "$knead --data-dir $dir/data progress" \
  -n 'start-up: --version' "$knead --version" \
  -n 'start-up: check' "$knead check --intake examples/intake.json"
