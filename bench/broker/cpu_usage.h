// CPU seconds spent by the bench process and by the broker during a phase. On a
// 2-core machine the client and the broker compete for the same cores, so a
// throughput figure means little without knowing whether the cores were full
// (CPU-bound) or idle (waiting on fdatasync or the network).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace sluice::bench {

struct CpuSample {
  std::chrono::steady_clock::time_point at;
  double bench_s = 0;   // user+system of this process (all its threads)
  double broker_s = 0;  // user+system of the broker process, from /proc/PID/stat
};

CpuSample sample_cpu(pid_t broker);

// e.g. "CPU: bench 1.9 s + broker 2.1 s in 4.5 s wall = 0.44 of 2 cores"
std::string describe_cpu(const CpuSample& before, const CpuSample& after);

// /proc/loadavg's first three fields: other work on the machine skews every figure.
std::string load_average();

}  // namespace sluice::bench
