"""Make patients on a running Knead server and print shell assignments.

Usage: web-setup.py URL [DAYS] [PATIENTS]

With one patient (the default): KNEAD_COOKIE, KNEAD_CSRF, KNEAD_SCREENING,
KNEAD_PACK. With a number of days, also record that many daily sessions
(one per day, ending yesterday).

With more patients, also KNEAD_PATIENTS: one `cookie|csrf|screening` per
patient, separated by spaces, for bench/web-session.lua to spread its
requests over. Each patient signs up and in from an address of its own
(sent as X-Forwarded-For, so the server must trust 127.0.0.1 as a proxy),
as many people would, so the per-address allowances of sign-up and
sign-in are not what the bench measures."""
import json, sys, uuid, datetime, urllib.request

base = sys.argv[1]
days = int(sys.argv[2]) if len(sys.argv) > 2 else 0
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1


def patient(n):
    cookie = None

    def call(method, path, body=None, csrf=None):
        nonlocal cookie
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(base + path, method=method, data=data)
        req.add_header("Content-Type", "application/json")
        req.add_header("X-Forwarded-For", f"10.0.{n // 250}.{n % 250 + 1}")
        if cookie:
            req.add_header("Cookie", cookie)
        if csrf:
            req.add_header("X-CSRF-Token", csrf)
        with urllib.request.urlopen(req) as res:
            set_cookie = res.headers.get("Set-Cookie")
            if set_cookie:
                cookie = set_cookie.split(";")[0]
            text = res.read()
            return json.loads(text) if text else None

    # Sign-up does not sign in (it answers the same whether or not the address is taken): sign in next.
    account = {"email": f"bench-{uuid.uuid4()}@example.org", "password": "a long bench password"}
    call("POST", "/api/v1/accounts", account)
    csrf = call("POST", "/api/v1/sign-in", account)["csrf"]
    intake = {"age_years": 40, "pain": {"intensity": 5, "duration_days": 20}}
    screening = call("POST", "/api/v1/screenings", {"id": str(uuid.uuid4()), "intake": intake}, csrf)
    pack = screening["result"].get("pack_version") or "unknown"
    today = datetime.datetime.now(datetime.timezone.utc).replace(hour=8, minute=0, second=0, microsecond=0)
    for d in range(days, 0, -1):
        start = today - datetime.timedelta(days=d)
        sid = str(uuid.uuid4())
        call("PUT", f"/api/v1/sessions/{sid}", {
            "id": sid, "screening_id": screening["id"], "started_at": start.isoformat().replace("+00:00", "Z"),
            "ended_at": (start + datetime.timedelta(minutes=10)).isoformat().replace("+00:00", "Z"),
            "status": "completed", "stop_reason": None, "plan": None, "steps": [], "usage": {"hands": 300},
            "pain_before": 5, "pain_after": 3, "region": None, "note": None, "pack_version": pack}, csrf)
    return cookie, csrf, screening["id"], pack


made = [patient(n) for n in range(count)]
cookie, csrf, screening, pack = made[0]
print(f"KNEAD_COOKIE='{cookie}'; KNEAD_CSRF='{csrf}'; KNEAD_SCREENING='{screening}'; KNEAD_PACK='{pack}'")
if count > 1:
    print("KNEAD_PATIENTS='" + " ".join(f"{c}|{t}|{s}" for c, t, s, _ in made) + "'")
