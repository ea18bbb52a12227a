-- wrk script of the load benchmark (bench/load.py): `wrk ... -s load.lua URL -- MODE PREFIX`.
-- MODE "vote": POST /api/vote as the page's script does, with a token no other request uses
--   (PREFIX, 4 letters unique to the run, + the thread + a counter: 22 characters, as the
--   page's tokens); "classic-vote": POST / with the classic form; "page": GET /.
-- done() prints one line "wrk-json {...}" with the figures the benchmark reads.

local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

local mode, prefix
local sent = 0
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local options = { "Tabs", "Spaces" }

function init(args)
  mode = args[1] or "page"
  prefix = args[2] or "wrk0"
  assert(#prefix == 4, "PREFIX must be 4 characters")
end

function request()
  sent = sent + 1
  local option = options[sent % 2 + 1]
  if mode == "vote" then
    local token = string.format("%s%03d%015x", prefix, thread_number, sent)
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
