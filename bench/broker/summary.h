// The final table: every figure on one line with its unit and the configuration
// that produced it, produce throughput next to the disk limit it is judged by.
#pragma once

#include <string>
#include <vector>

#include "disk_limit.h"
#include "latency_run.h"
#include "options.h"
#include "serving_phases.h"
#include "throughput.h"

namespace sluice::bench {

// Target for produce MB/s as a fraction of the disk's sequential-write limit.
inline constexpr double kTargetDiskRatio = 0.70;
// Targets with many idle connections open (issue 16): broker RSS, and no thread
// per connection.
inline constexpr double kTargetIdleRssMib = 100;
// Target for the produce-ack p99 at the latency rate with --flush always.
inline constexpr double kTargetLatencyP99Ms = 20;

struct ModeResult {
  std::string flush;   // broker --flush value (for Kafka: the matching log.flush.* setting)
  std::string target;  // "sluice", or "kafka" with --compare kafka
  // How lines about this run are labelled: "flush=always" or "kafka flush=always".
  std::string label() const {
    return target == "sluice" ? "flush=" + flush : target + " flush=" + flush;
  }
  ThroughputResult produce;
  ThroughputResult consume;
  LatencyResult latency;
  std::string broker_exit;  // how the broker stopped, e.g. "exit 0"
  // CPU use during each phase (see cpu_usage.h).
  std::string produce_cpu;
  std::string consume_cpu;
  std::string latency_cpu;
  double broker_cpu_s = 0;  // the broker's CPU seconds over the produce and consume phases
  double peak_rss_mib = 0;  // the broker's VmHWM when it stopped
  double cpu_s_per_gb() const {
    const double gb = static_cast<double>(produce.bytes + consume.bytes) / 1e9;
    return gb > 0 ? broker_cpu_s / gb : 0;
  }
};

struct RunContext {
  std::string load_before;  // /proc/loadavg when the run started
  std::string load_after;
};

void print_summary(const BenchOptions& options, const RunContext& context, const DiskResult& disk,
                   const std::vector<ModeResult>& modes, const ServingResult& serving);

}  // namespace sluice::bench
