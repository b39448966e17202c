-- wrk script for bench/serve.py: GET /api/lookup with a bearer token, queries from a pre-generated list, a think
-- time per client (a clerk at a desk), a request quota for the measured window, and every request's own timing.
--
--   WRK_OUT=OUT.tsv wrk -t 100 -c 100 -d 70s --timeout 30s --latency -s bench/serve.lua URL \
--       -- PATHS TOKEN THINK_MS QUOTA WARM_UNTIL_US
--
-- Run it with as many threads as connections (-t = -c): each wrk thread then drives one connection, so its
-- request() and response() calls pair up and each request is timed on its own (CLOCK_MONOTONIC, via LuaJIT's FFI).
-- PATHS: a file of "kind<TAB>path" lines (paths URL-encoded; the mix is made by bench/serve.py); each client starts
--   at its own point of the list.
-- THINK_MS: mean pause before each request of a client, uniform in 0.5-1.5 x (0: closed loop, the worst case).
--   wrk sends each connection's first request at once (the cold start: 100 connections and requests together,
--   which falls in the warm-up).
-- QUOTA: requests a client may complete after WARM_UNTIL_US (0: no limit); the client stops when it reaches them.
-- WARM_UNTIL_US: CLOCK_MONOTONIC microseconds at which the warm-up ends (the same clock as Python's time.monotonic).
-- WRK_OUT (environment, as done() runs apart from init's arguments): done() writes one line per request:
--   "sent_us<TAB>latency_us<TAB>status<TAB>kind". wrk times a request from its write to its full response;
--   the think time is not counted.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } hn_timespec;
int clock_gettime(int clock, hn_timespec *tp);
]]
local clock = ffi.new("hn_timespec")

local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
  for _, t in ipairs(threads) do t:set("nthreads", counter) end -- every thread ends up knowing the total
end

log = {} -- a global: done() reads it from each thread (thread:get)
local paths, kinds, think_ms, quota, warm_until, measured = {}, {}, 0, 0, 0, 0
local cursor, sent_at, kind = 1, 0, ""

function init(args)
  for line in io.lines(args[1]) do
    local k, path = line:match("^([^\t]+)\t(.+)$")
    if path then
      table.insert(kinds, k)
      table.insert(paths, path)
    end
  end
  think_ms, quota, warm_until = tonumber(args[3]) or 0, tonumber(args[4]) or 0, tonumber(args[5]) or 0
  math.randomseed(1000 + tid)
  cursor = 1 + math.floor((tid - 1) * #paths / nthreads) % #paths
  wrk.headers["Authorization"] = "Bearer " .. args[2]
end

function delay()
  if think_ms <= 0 then return 0 end
  return math.floor(think_ms * (0.5 + math.random()))
end

function request()
  local path = paths[cursor]
  kind = kinds[cursor]
  cursor = cursor % #paths + 1
  sent_at = now_us()
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local took = now_us() - sent_at
  table.insert(log, string.format("%d\t%d\t%d\t%s", sent_at, took, status, kind))
  if sent_at >= warm_until then
    measured = measured + 1
    if quota > 0 and measured >= quota then wrk.thread:stop() end
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("WRK_OUT"), "w")
  for _, thread in ipairs(threads) do
    local lines = thread:get("log") or {}
    if #lines > 0 then out:write(table.concat(lines, "\n"), "\n") end
  end
  local e = summary.errors
  out:write(string.format("#socket_errors\t%d\t%d\t%d\t%d\n", e.connect, e.read, e.write, e.timeout))
  out:close()
end
