-- wrk script for bench/run: every request POSTs one attempt (the first of the CMU test file, written to
-- the body file by bench/run) to the predict endpoint; wrk reports the latency distribution and errors.
local body_file = os.getenv("KSAUTH_BENCH_BODY")
local f = assert(io.open(body_file, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "KSAUTH_WRK {\"requests\": %d, \"seconds\": %f, \"requests_per_second\": %f, \"p50_ms\": %f, \"p99_ms\": %f, " ..
    "\"max_ms\": %f, \"http_errors\": %d, \"socket_errors\": %d}\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.status, e.connect + e.read + e.write + e.timeout))
end
