-- wrk script of `manage.py loadtest` (devtools/management/commands/loadtest.py).
--
-- wrk's own report counts only statuses of 400 and above ("Non-2xx or 3xx responses") and
-- its --latency table stops at 50/75/90/99 %. This script counts every response outside
-- 2xx (a redirect to the login page means the session was refused) and prints, after the
-- run, one line the command reads: "LOADTEST-RESULT {json}", latencies in microseconds.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  not_2xx = 0 -- a global: done() reads it from each thread with thread:get()
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    not_2xx = not_2xx + 1
  end
end

function done(summary, latency, requests)
  local outside = 0
  for _, thread in ipairs(threads) do
    outside = outside + (thread:get("not_2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'LOADTEST-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, '
      .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d, '
      .. '"not_2xx": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status,
    outside
  ))
end
