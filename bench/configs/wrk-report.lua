-- wrk's done() hook only: no per-request Lua, so wrk keeps its fast path.
-- Prints one line acctest/bench parses (latencies in microseconds).
done = function(summary, latency, requests)
  io.write(string.format(
    "GWBENCH requests=%d duration_us=%d status_errors=%d connect=%d read=%d write=%d timeout=%d p50=%d p90=%d p99=%d p999=%d max=%d\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
