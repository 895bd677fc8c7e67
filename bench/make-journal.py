#!/usr/bin/env python3
"""Write a Knead JSON journal of N days at K sessions a day (default: ten
years at six a day, about 22,000 sessions) for the benchmarks."""
import json, sys, uuid, random
from datetime import datetime, timedelta, timezone

days = int(sys.argv[1]) if len(sys.argv) > 1 else 3650
per_day = int(sys.argv[2]) if len(sys.argv) > 2 else 6
rng = random.Random(7)
start = datetime(2016, 11, 24, 7, 0, tzinfo=timezone.utc)
sessions = []
for d in range(days):
    for k in range(per_day):
        at = start + timedelta(days=d, hours=2 * k + rng.random())
        before = rng.randint(2, 7)
        technique = rng.choice(["hands", "foam_roller", "electric_massager"])
        sessions.append({
            "id": str(uuid.UUID(int=(d * 10 + k) | (0x7 << 76) | (0x8 << 60))),
            "screening_id": None,
            "started_at": at.isoformat().replace("+00:00", "Z"),
            "ended_at": (at + timedelta(minutes=8)).isoformat().replace("+00:00", "Z"),
            "status": "logged",
            "stop_reason": None,
            "plan": None,
            "steps": [],
            "usage": {technique: rng.randint(120, 600)},
            "pain_before": before,
            "pain_after": max(0, before - rng.randint(0, 3)),
            "region": rng.choice(["left", "right", "centre", "both_sides"]),
            "note": None,
            "pack_version": "2026.11.1",
        })
print(json.dumps({
    "format": "knead-journal", "version": 1,
    "exported_at": "2026-11-24T00:00:00Z",
    "screenings": [], "sessions": sessions, "checkins": [],
}))
