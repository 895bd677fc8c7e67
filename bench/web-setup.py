"""Make a patient on a running Knead server and print shell assignments:
KNEAD_COOKIE, KNEAD_CSRF, KNEAD_SCREENING, KNEAD_PACK. With a number of
days, also record that many daily sessions (one per day, ending yesterday)."""
import json, sys, uuid, datetime, urllib.request

base = sys.argv[1]
days = int(sys.argv[2]) if len(sys.argv) > 2 else 0
cookie = None

def call(method, path, body=None, csrf=None):
    global cookie
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
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
me = call("POST", "/api/v1/sign-in", account)
csrf = me["csrf"]
screening = call("POST", "/api/v1/screenings", {"id": str(uuid.uuid4()), "intake": {"age_years": 40, "pain": {"intensity": 5, "duration_days": 20}}}, csrf)
pack = screening["result"].get("pack_version") or "unknown"
today = datetime.datetime.now(datetime.timezone.utc).replace(hour=8, minute=0, second=0, microsecond=0)
for d in range(days, 0, -1):
    start = today - datetime.timedelta(days=d)
    sid = str(uuid.uuid4())
    call("PUT", f"/api/v1/sessions/{sid}", {
        "id": sid, "screening_id": screening["id"], "started_at": start.isoformat().replace("+00:00", "Z"),
        "ended_at": (start + datetime.timedelta(minutes=10)).isoformat().replace("+00:00", "Z"), "status": "completed",
        "stop_reason": None, "plan": None, "steps": [], "usage": {"hands": 300}, "pain_before": 5, "pain_after": 3,
        "region": None, "note": None, "pack_version": pack}, csrf)
print(f"KNEAD_COOKIE='{cookie}'; KNEAD_CSRF='{csrf}'; KNEAD_SCREENING='{screening['id']}'; KNEAD_PACK='{pack}'")
