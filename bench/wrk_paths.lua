-- wrk script for bench/bench_api.py: every request asks for the next path of a list, so that
-- each one looks up something different.
--   wrk -t2 -c32 -d15s --latency -s bench/wrk_paths.lua http://127.0.0.1:PORT -- PATHS [START]
-- PATHS holds one request path a line ("/v1/addresses/123"); each thread starts at its own place
-- in it (START, default 0, moves every thread's place, e.g. for a warm-up). `done` prints one
-- line "WRK {json}" with the counts and the latency percentiles in microseconds.

local threads = {}
local counter = 0

function setup(thread)
   thread:set("id", counter)
   table.insert(threads, thread)
   counter = counter + 1
end

function init(args)
   paths = {}
   for line in io.lines(args[1]) do
      if line ~= "" then
         table.insert(paths, line)
      end
   end
   if #paths == 0 then
      error("no paths in " .. args[1])
   end
   local start = tonumber(args[2] or "0")
   -- id is set by setup() before init() runs in each thread.
   position = (start + id * 7919) % #paths
end

function request()
   position = position % #paths + 1
   return wrk.format("GET", paths[position])
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
      '"status": %d, "timeout": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d, ' ..
      '"max": %d, "mean": %.1f}\n',
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(95),
      latency:percentile(99), latency.max, latency.mean))
end
