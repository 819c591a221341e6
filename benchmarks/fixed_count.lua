-- wrk script: a fixed number of requests. wrk itself only knows a duration. The thread that
-- receives the last counted response stops its own event loop at once (wrk.thread:stop(),
-- synchronous, in that thread) and wakes wrk's main thread (SIGINT, which wrk handles as
-- "stop now and report"). Only the answers already read in that same pass of the event loop
-- are counted too: with one thread (load.py runs wrk with --threads 1) and one request in
-- flight per connection, wrk reports at least WRK_REQUESTS and at most WRK_REQUESTS +
-- connections - 1 answers, however fast or busy the machine is. done() prints the figures as
-- one JSON line; latencies are in microseconds.
local ffi = require("ffi")
ffi.cdef [[
  int getpid(void);
  long syscall(long number, ...);
]]
local SYS_tgkill = ({x64 = 234, arm64 = 131})[ffi.arch]
local SIGINT = 2
local limit = tonumber(os.getenv("WRK_REQUESTS") or "1000")
local seen = 0

function response(status, headers, body)
  seen = seen + 1
  if seen == limit then
    wrk.thread:stop()
    local pid = ffi.C.getpid()
    ffi.C.syscall(SYS_tgkill, ffi.cast("long", pid), ffi.cast("long", pid),
                  ffi.cast("long", SIGINT))
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
