-- wrk script for Benchmarks/rest/run.sh: after the run, one machine-readable line with the figures the table
-- needs (latencies in microseconds). The request itself (method, path, Authorization header) is set by run.sh.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "WRK_RESULT requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f "
      .. "bytes=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non_2xx=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    summary.bytes, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end
