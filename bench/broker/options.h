// Command-line flags of bench_broker. Every figure the benchmark prints depends on
// these, so the summary echoes them; defaults give a ~1 GiB run per phase that
// fits in about ten minutes on a 2-core machine, and --quick (200,000 messages,
// a 256 MiB disk baseline, 5 s latency runs) one of about two minutes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sluice::bench {

struct BenchOptions {
  std::string sluice_bin = SLUICE_BIN;        // --sluice: the binary whose broker is measured
  std::filesystem::path parent_dir = "/tmp";  // --dir: scratch data lives in a fresh subdirectory
  int64_t disk_mb = 1024;                     // --disk-mb: MiB written by the disk baseline
  int64_t messages = 1'000'000;               // --messages: produced (then consumed) per flush mode
  int32_t value_bytes = 1024;                 // --value-bytes
  int32_t partitions = 4;                     // --partitions
  std::vector<std::string> flush_modes = {"always"};  // --flush-modes always,1000ms
  int32_t linger_ms = 5;                              // --linger-ms
  int32_t batch_bytes = 1'000'000;                    // --batch-bytes (librdkafka batch.size)
  double latency_seconds = 10;         // --latency-seconds: length of the fixed-rate run
  double latency_rate_fraction = 0.5;  // --latency-rate-fraction of the measured max msg/s
  int32_t latency_producers = 1;       // --latency-producers: connections sharing the latency rate
  double latency_rate = 0;  // --latency-rate: fixed msg/s instead (compares builds at one rate)
  // The rate of a latency run after a peak of `peak_msgs_per_s`.
  double latency_rate_after(double peak_msgs_per_s) const {
    return latency_rate > 0 ? latency_rate : peak_msgs_per_s * latency_rate_fraction;
  }
  bool latency_timeline = false;  // --latency-timeline: ack p99 per second of each latency run
  bool keep_data = false;         // --keep-data: leave the scratch directory behind
  // --compare kafka: each flush mode also on a one-node Apache Kafka (tests/kafka_dist.py)
  // on the same filesystem, with the matching log.flush.* setting; ratios printed.
  bool compare_kafka = false;
  // Serving phases (serving_phases.h), on one broker with --flush always:
  std::vector<std::string> protocols = {"PLAINTEXT", "SSL", "SASL_SSL"};  // --protocols
  int64_t idle_connections = 10'000;  // --idle-connections (0: no idle phase)
};

// Parses argv; prints usage and exits 0 on --help, 2 on a bad flag.
BenchOptions parse_options(int argc, char** argv);

}  // namespace sluice::bench
