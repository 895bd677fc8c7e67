"""Does the time a wrong sign-in takes tell whether the address has an account?

Against a running `knead serve` on PORT (fresh database): makes N accounts,
then signs in once to each with a wrong password, and N times with
addresses that have no account, interleaved, and prints the median and
90th percentile of each in milliseconds. Every request comes from a
loopback address of its own (127.0.x.y), so no client's allowance is met,
and each account is tried once, so no account's is either.

    python3 bench/sign-in-timing.py PORT [N]
"""

import http.client
import json
import statistics
import sys
import time

PORT = int(sys.argv[1])
N = int(sys.argv[2]) if len(sys.argv) > 2 else 50


def post(path, body, source):
    """POST JSON from the loopback address `source`; (status, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, source_address=(source, 0))
    data = json.dumps(body)
    started = time.perf_counter()
    conn.request("POST", path, data, {"Content-Type": "application/json"})
    status = conn.getresponse().status
    took = time.perf_counter() - started
    conn.close()
    return status, took


def source(i):
    return f"127.0.{2 + i // 250}.{2 + i % 250}"


for i in range(N):
    status, _ = post("/api/v1/accounts", {"email": f"owner{i}@example.org", "password": "a long and private phrase"}, source(i))
    assert status == 202, status

known, unknown = [], []
for i in range(N):
    status, took = post("/api/v1/sign-in", {"email": f"owner{i}@example.org", "password": "not the password"}, source(N + 2 * i))
    assert status == 401, status
    known.append(took * 1000)
    status, took = post("/api/v1/sign-in", {"email": f"nobody{i}@example.org", "password": "not the password"}, source(N + 2 * i + 1))
    assert status == 401, status
    unknown.append(took * 1000)


def summary(ms):
    return f"median {statistics.median(ms):.1f} ms, p90 {statistics.quantiles(ms, n=10)[-1]:.1f} ms"


print(f"{N} wrong passwords for accounts:     {summary(known)}")
print(f"{N} addresses without an account:     {summary(unknown)}")
