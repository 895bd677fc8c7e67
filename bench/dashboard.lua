-- wrk script for bench/dashboard.sh: GET with the clinician's cookie
-- (KNEAD_COOKIE), and one summary line at the end: requests, req/s,
-- p50 / p90 / p99 / max in ms, non-2xx answers and socket errors.
function init(args)
  wrk.headers["Cookie"] = os.getenv("KNEAD_COOKIE")
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d rps=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f non2xx=%d errors=%d\n",
    summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
