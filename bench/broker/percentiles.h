// Latency samples -> the few numbers worth printing. Samples are kept exactly
// (8 bytes each; a 10 s run at 300k msg/s is ~24 MB) rather than bucketed, so
// p99 is the true order statistic.
#pragma once

#include <cstdint>
#include <vector>

namespace sluice::bench {

struct LatencySummary {
  int64_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

// Summarises nanosecond samples; reorders `samples_ns`.
LatencySummary summarize(std::vector<int64_t>& samples_ns);

}  // namespace sluice::bench
