-- wrk script of the load benchmark (bench/load.py): `wrk ... -s load.lua URL -- MODE TOKENS`.
-- MODE "vote": POST /api/vote as the page's script does, each with the next token of the file
--   TOKENS (signed by bench/load.py with the server's key, one a line, unique to the run);
--   "classic-vote": POST / with the classic form; "page": GET /.
-- done() prints one line "wrk-json {...}" with the figures the benchmark reads.

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

local mode
local tokens = {}
local sent = 0
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local options = { "Tabs", "Spaces" }

function init(args)
  mode = args[1] or "page"
  if mode == "vote" then
    for line in io.lines(args[2]) do
      tokens[#tokens + 1] = line
    end
    assert(#tokens > 0, "TOKENS must name a file of tokens")
  end
end

function request()
  sent = sent + 1
  local option = options[sent % 2 + 1]
  if mode == "vote" then
    local token = tokens[(sent - 1) % #tokens + 1]
    return wrk.format("POST", "/api/vote", form, "vote=" .. option .. "&token=" .. token)
  elseif mode == "classic-vote" then
    return wrk.format("POST", "/", form, "vote=" .. option)
  end
  return wrk.format("GET", "/")
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
