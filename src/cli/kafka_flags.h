// The options every cluster-facing command shares: where the cluster is and how
// long to wait for it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>

namespace sluice::cli {

struct KafkaFlags {
  std::string bootstrap = std::getenv("SLUICE_BOOTSTRAP") ? std::getenv("SLUICE_BOOTSTRAP") : "127.0.0.1:9092";
  int timeout_ms = 10000;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--bootstrap", bootstrap, "Kafka bootstrap HOST:PORT (env SLUICE_BOOTSTRAP)")->capture_default_str();
    cmd->add_option("--timeout-ms", timeout_ms, "How long to wait for the cluster")->capture_default_str();
  }
};

// Milliseconds since the epoch from "2026-11-22T10:00:00Z", "...T10:00:00.250Z",
// "...T10:00:00+01:00" or plain epoch milliseconds; throws std::invalid_argument.
int64_t parse_datetime_ms(const std::string& text);

}  // namespace sluice::cli
