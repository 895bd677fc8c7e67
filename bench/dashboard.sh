#!/usr/bin/env bash
# The clinician dashboard under load: one clinician with PATIENTS patients
# (default 500), each with DAYS daily sessions (default 365), seeded straight
# into a fresh database by the knead-web example `seed_clinic`; then wrk
# against GET /api/v1/patients (JSON) and GET /clinic (HTML) as the signed-in
# clinician, at 1, 8 and 32 connections (CONNECTIONS), DURATION seconds each
# (default 15). Prints p50 / p99 and req/s per run and the server's resident
# memory. Target: p99 < 100 ms on SQLite and on PostgreSQL.
# Usage: bash bench/dashboard.sh [sqlite|postgres]
#   smoke test: PATIENTS=20 DAYS=30 DURATION=3 bash bench/dashboard.sh sqlite
# Each dashboard request writes one audit line per patient ("viewed"), so the
# audit log grows through the runs, as it would in use.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
duration="${DURATION:-15}"
patients="${PATIENTS:-500}"
days="${DAYS:-365}"
connections="${CONNECTIONS:-1 8 32}"
port="${PORT:-18081}"
base_url="http://127.0.0.1:$port"
case "$backend" in sqlite | postgres) ;; *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;; esac
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p knead-cli
cargo build --release -q -p knead-web --example seed_clinic
knead="$PWD/target/release/knead"
seeder="$PWD/target/release/examples/seed_clinic"

dir="$(mktemp -d)"
server=""
db=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ -n "$db" ]; then psql "$pg" -qc "DROP DATABASE IF EXISTS $db" >/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

case "$backend" in
  sqlite) url="sqlite://$dir/clinic.sqlite3" ;;
  postgres)
    pg="$(bash .ci/postgres)"
    psql "$pg" -qc "CREATE DATABASE knead_dashboard_$$" >/dev/null
    db="knead_dashboard_$$"
    url="${pg%/*}/$db"
    ;;
esac

echo "== $backend: seeding $patients patients x $days days"
"$seeder" --database-url "$url" --patients "$patients" --days "$days"

"$knead" serve --addr "127.0.0.1:$port" --database-url "$url" 2>"$dir/server.log" &
server=$!
for _ in $(seq 100); do curl -fs "$base_url/api/openapi.json" >/dev/null && break; sleep 0.1; done
kill -0 "$server" 2>/dev/null || { echo "the server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }

# Sign the clinician in; keep the cookie (name=value).
KNEAD_COOKIE="$(curl -fsS -D - -o /dev/null -H 'Content-Type: application/json' \
  -d '{"email":"clinician@bench.example","password":"mauve kettle bench tuesdays"}' "$base_url/api/v1/sign-in" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: *\([^;]*\).*/\1/p' | head -n 1)"
[ -n "$KNEAD_COOKIE" ] || { echo "signing the clinician in gave no cookie" >&2; exit 1; }
export KNEAD_COOKIE

rss() { ps -o rss= -p "$server" | awk '{printf "%.0f MB", $1/1024}'; }

# One request each first: the answer must be 200 with every patient on it.
curl -fsS -o "$dir/patients.json" -w '%{http_code} %{time_total}\n' -H "Cookie: $KNEAD_COOKIE" \
  "$base_url/api/v1/patients" >"$dir/one"
read -r code seconds <"$dir/one"
python3 - "$dir/patients.json" "$patients" "$code" "$seconds" <<'EOF'
import collections, json, sys
rows = json.load(open(sys.argv[1]))
want, code, seconds = int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
worst = collections.Counter(r["worst"] or "none" for r in rows)
order = [r["worst"] or "none" for r in rows]
rank = {"red_flag": 0, "pain": 1, "missed": 2, "none": 3}
print(f"GET /api/v1/patients once: HTTP {code}, {len(rows)} patients (want {want}), "
      f"{seconds * 1000:.0f} ms; worst concern: {dict(worst)}; "
      f"sorted: {'yes' if order == sorted(order, key=rank.get) else 'NO'}")
sys.exit(0 if code == "200" and len(rows) == want else 1)
EOF
curl -fsS -o "$dir/clinic.html" -w '%{http_code} %{time_total}\n' -H "Cookie: $KNEAD_COOKIE" \
  "$base_url/clinic" >"$dir/one"
read -r code seconds <"$dir/one"
rows="$(grep -o 'href="/clinic/patients/[0-9a-f-]*"' "$dir/clinic.html" | sort -u | wc -l)"
echo "GET /clinic once: HTTP $code, $rows patients linked (want $patients), $(awk -v s="$seconds" 'BEGIN{printf "%.0f", s*1000}') ms"
[ "$code" = 200 ] && [ "$rows" = "$patients" ] || { echo "the clinic page is not right" >&2; exit 1; }

for path in /api/v1/patients /clinic; do
  for c in $connections; do
    threads=$((c < 2 ? c : 2))
    line="$(wrk -t"$threads" -c"$c" -d"${duration}s" --timeout 30s --latency -s bench/dashboard.lua \
      "$base_url$path" | grep '^RESULT')"
    eval "${line#RESULT }"
    met="$(awk -v p="$p99" 'BEGIN{print (p < 100) ? "met" : "NOT met"}')"
    printf '== %s GET %-16s %2s conn, %ss: %6s req/s, p50 %8s ms, p99 %8s ms (max %s), %s requests, non-2xx %s, errors %s; p99 < 100 ms: %s; server %s\n' \
      "$backend" "$path" "$c" "$duration" "$rps" "$p50" "$p99" "$max" "$requests" "$non2xx" "$errors" "$met" "$(rss)"
  done
done
