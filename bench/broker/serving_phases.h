// The broker as clients meet it, beyond raw disk speed, on one broker with
// --flush always: produce throughput and latency over PLAINTEXT, SSL and
// SASL_SSL listeners (TLS and SCRAM cost CPU on both sides), then with many
// idle connections open (they must cost little memory and no threads), with
// the broker's RSS and thread count before and after.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "latency_run.h"
#include "options.h"
#include "payload.h"
#include "process_status.h"
#include "throughput.h"

namespace sluice::bench {

// One produce-throughput run, then a fixed-rate latency run, over one listener.
struct LoadPhase {
  std::string name;  // "PLAINTEXT", "SSL", "SASL_SSL", "PLAINTEXT + N idle"
  ThroughputResult produce;
  std::string produce_cpu;
  LatencyResult latency;
  std::string latency_cpu;
};

struct IdlePhase {
  int64_t asked = 0;
  int64_t opened = 0;
  std::string problem;       // why fewer than asked were opened, if so
  ProcessStatus before;      // the broker before the idle connections
  ProcessStatus with_idle;   // once it holds them
  ProcessStatus after_load;  // after the load phase run meanwhile
  std::optional<LoadPhase> load;
};

struct ServingResult {
  std::vector<LoadPhase> protocols;  // PLAINTEXT first when measured
  double latency_rate = 0;           // msg/s of every latency run here
  std::optional<IdlePhase> idle;
  std::string broker_exit;
};

ServingResult run_serving_phases(const BenchOptions& options, const std::filesystem::path& scratch,
                                 const PayloadPool& payloads);

}  // namespace sluice::bench
