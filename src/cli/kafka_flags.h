// The options every cluster-facing command shares: where the cluster is and how
// long to wait for it.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "kafka/admin.h"

namespace sluice::cli {

struct KafkaFlags {
  std::string bootstrap = std::getenv("SLUICE_BOOTSTRAP") ? std::getenv("SLUICE_BOOTSTRAP") : "127.0.0.1:9092";
  int timeout_ms = 10000;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--bootstrap", bootstrap, "Kafka bootstrap HOST:PORT (env SLUICE_BOOTSTRAP)")->capture_default_str();
    cmd->add_option("--timeout-ms", timeout_ms, "How long to wait for the cluster")->capture_default_str();
  }
};

// Registers leaf commands that each run with an AdminClient built from one
// shared set of KafkaFlags (owned by the caller through `flags`).
class AdminCommands {
 public:
  AdminCommands(std::shared_ptr<KafkaFlags> flags, std::vector<CLI::App*>& registered, std::vector<Run>& runs)
      : flags_(std::move(flags)), registered_(registered), runs_(runs) {}
  void add(CLI::App* cmd, std::function<int(kafka::AdminClient&)> fn) {
    flags_->add_to(cmd);
    registered_.push_back(cmd);
    runs_.push_back([flags = flags_, fn = std::move(fn)] {
      kafka::AdminClient admin(flags->bootstrap, flags->timeout_ms);
      return fn(admin);
    });
  }

 private:
  std::shared_ptr<KafkaFlags> flags_;
  std::vector<CLI::App*>& registered_;
  std::vector<Run>& runs_;
};

// Milliseconds since the epoch from "2026-11-22T10:00:00Z", "...T10:00:00.250Z",
// "...T10:00:00+01:00" or plain epoch milliseconds; throws std::invalid_argument.
int64_t parse_datetime_ms(const std::string& text);

}  // namespace sluice::cli
