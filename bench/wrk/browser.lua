-- wrk script of the browser benchmark (bench/browsers.py): `wrk ... -s browser.lua URL -- IDLE_MS`.
-- Each visit is what a browser does: GET / (the page, which carries a vote token), the two
-- assets, POST /api/vote with that token, then idle time on the kept-alive connection before
-- the next visit: between 0 and 2 x IDLE_MS at random, as independent visitors arrive. (A fixed
-- idle time kept every connection in step from wrk's start, and the server saw all of them at
-- once every IDLE_MS: the p99 was that burst's, at any mean rate.) wrk runs one Lua state per
-- thread, so the four requests of a visit are spread over the thread's connections; the mix,
-- the tokens (each used once, as the page's) and the idle time per visit are a browser's.
-- done() prints one line "wrk-json {...}" with the figures the benchmark reads.

local idle_ms
local step = 0
local tokens = {}
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local options = { "Tabs", "Spaces" }
local votes_sent, pages_ok, votes_ok, no_token = 0, 0, 0, 0

function init(args)
  idle_ms = tonumber(args[1] or "2000")
end

function delay()
  -- The idle time comes before a visit's page (wrk asks before every connection's first request
  -- too), as a browser's reader reads, then votes again.
  if step % 4 == 0 then
    return math.random(0, 2 * idle_ms)
  end
  return 0
end

function request()
  step = step + 1
  local kind = step % 4
  if kind == 1 then
    return wrk.format("GET", "/")
  elseif kind == 2 then
    return wrk.format("GET", "/static/style.css")
  elseif kind == 3 then
    return wrk.format("GET", "/static/vote.js")
  end
  local token = table.remove(tokens, 1)
  if token == nil then
    no_token = no_token + 1
    return wrk.format("GET", "/")
  end
  votes_sent = votes_sent + 1
  return wrk.format("POST", "/api/vote", form,
    "vote=" .. options[votes_sent % 2 + 1] .. "&token=" .. token)
end

function response(status, headers, body)
  if status == 200 and body then
    local token = string.match(body, 'name="token" id="token" value="([^"]+)"')
    if token then
      pages_ok = pages_ok + 1
      tokens[#tokens + 1] = token
    elseif string.match(body, '"counted"') then
      votes_ok = votes_ok + 1
    end
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'wrk-json {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, '
      .. '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
