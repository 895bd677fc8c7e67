#!/usr/bin/env bash
# The memory soak at full size (issue 15 item 10): `knead serve` serving
# every page, API answer and document that reads a whole journal, for one
# patient with ten years at six sessions a day (21,900 sessions) and one
# with 100,000, on SQLite and on PostgreSQL; prints the server's peak
# resident memory (VmHWM). CI runs the same test at a smaller size.
# Usage: bash bench/soak.sh [OLD_KNEAD_BINARY]   (results go in docs/benchmarks.md)
# With a binary, that build's server is soaked instead (to compare commits).
set -euo pipefail
cd "$(dirname "$0")/.."
KNEAD_TEST_POSTGRES_URL="${KNEAD_TEST_POSTGRES_URL:-$(bash .ci/postgres)}"
export KNEAD_TEST_POSTGRES_URL KNEAD_SOAK_SESSIONS=21900,100000
[ $# -gt 0 ] && export KNEAD_SOAK_BINARY="$(realpath "$1")"
cargo test --release --locked -p knead-cli --test cli soak -- --include-ignored --nocapture --test-threads 1 2>&1 | grep -E "soak \(|panicked|test result"
