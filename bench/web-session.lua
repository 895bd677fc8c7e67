-- wrk script: PUT a new whole session on every request. Each request has a
-- fresh id and its own day (a thread's counter times a day, each thread
-- 100,000 days from the next, so no two requests share a day however many
-- are sent), so every request is a real insert within the daily limits.
-- With KNEAD_PATIENTS (bench/web-setup.py's, "cookie|csrf|screening ..."),
-- each request is one of those patients' at random; otherwise every
-- request is KNEAD_COOKIE's.
local counter = 0
local thread_base = 0
local patients = {}
local threads = 0

function setup(thread)
  thread:set("thread_base", threads * 100000)
  threads = threads + 1
end

local function uuid()
  local t = {}
  for i = 1, 16 do t[i] = math.random(0, 255) end
  t[7] = 0x40 + (t[7] % 16)
  t[9] = 0x80 + (t[9] % 64)
  local h = string.format(string.rep("%02x", 16), (table.unpack or unpack)(t))
  return h:sub(1, 8) .. "-" .. h:sub(9, 12) .. "-" .. h:sub(13, 16) .. "-" .. h:sub(17, 20) .. "-" .. h:sub(21, 32)
end

function init(args)
  math.randomseed(os.time() + thread_base)
  wrk.method = "PUT"
  for cookie, csrf, screening in (os.getenv("KNEAD_PATIENTS") or ""):gmatch("([^|%s]+)|([^|%s]+)|([^|%s]+)") do
    patients[#patients + 1] = { cookie = cookie, csrf = csrf, screening = screening }
  end
  if #patients == 0 then
    patients[1] = { cookie = os.getenv("KNEAD_COOKIE"), csrf = os.getenv("KNEAD_CSRF"), screening = os.getenv("KNEAD_SCREENING") }
  end
end

function request()
  counter = counter + 1
  local who = patients[math.random(1, #patients)]
  local id = uuid()
  -- Days from 2000-01-01 onwards: one session a day per request. (Days
  -- taken modulo 30,000, as before, came round again after 60,000 requests,
  -- and a day's third session was refused.)
  local day = 946684800 + (thread_base + counter) * 86400 + math.random(0, 3600)
  local started = os.date("!%Y-%m-%dT08:%M:%SZ", day)
  local ended = os.date("!%Y-%m-%dT09:%M:%SZ", day)
  local body = string.format(
    '{"id":"%s","screening_id":"%s","started_at":"%s","ended_at":"%s","status":"completed",' ..
    '"stop_reason":null,"plan":null,"steps":[],"usage":{"hands":300},"pain_before":5,"pain_after":3,' ..
    '"region":null,"note":null,"pack_version":"%s"}',
    id, who.screening, started, ended, os.getenv("KNEAD_PACK"))
  local headers = { ["Content-Type"] = "application/json", ["Cookie"] = who.cookie, ["X-CSRF-Token"] = who.csrf }
  return wrk.format(nil, "/api/v1/sessions/" .. id, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests %d, errors %d, p50 %.2f ms, p99 %.2f ms\n",
    summary.requests, errors, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
