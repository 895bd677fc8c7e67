#!/usr/bin/env python3
"""A flood of unauthenticated sign-ins against a running `knead serve`, and
the server's peak resident memory while it lasts.

Each of N connections (default 500) comes from its own loopback address
(127.0.x.y, one address per five attempts, so every address stays within
the per-address limit) and sends one sign-in to an address with no
account. Prints the answers by status, how long the flood took, and the
server's peak RSS (VmHWM) and RSS after it. Then one real sign-in shows
that the owner still gets in.

Usage: python3 bench/sign-in-flood.py PORT SERVER_PID [N]
"""

import asyncio
import collections
import json
import sys
import time

PORT = int(sys.argv[1])
PID = int(sys.argv[2])
N = int(sys.argv[3]) if len(sys.argv) > 3 else 500


def memory():
    fields = {}
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    return fields["VmRSS"], fields["VmHWM"]


async def post(path, body, local=None):
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT, local_addr=local)
    data = json.dumps(body).encode()
    writer.write(
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return int(answer.split(b" ", 2)[1])


async def attempt(i):
    local = (f"127.0.{2 + i // 5 // 250}.{2 + i // 5 % 250}", 0)
    body = {"email": f"nobody{i}@example.org", "password": "a guess at it"}
    try:
        return await post("/api/v1/sign-in", body, local)
    except OSError as e:
        return f"error: {e.strerror}"


async def main():
    print(f"before: rss {memory()[0]}")
    await post("/api/v1/accounts", {"email": "owner@example.org", "password": "a long and private phrase"})
    started = time.monotonic()
    answers = await asyncio.gather(*(attempt(i) for i in range(N)))
    took = time.monotonic() - started
    rss, peak = memory()
    counts = collections.Counter(answers)
    print(f"{N} sign-ins at once: {dict(sorted(counts.items(), key=str))} in {took:.1f} s")
    print(f"peak rss {peak}, rss after {rss}")
    await asyncio.sleep(2)
    owner = {"email": "owner@example.org", "password": "a long and private phrase"}
    print(f"then the owner signs in: {await post('/api/v1/sign-in', owner, ('127.0.9.9', 0))}")


asyncio.run(main())
