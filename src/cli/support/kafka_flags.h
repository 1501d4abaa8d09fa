// The options every cluster-facing command shares — where the cluster is and
// how long to wait for it — and a registrar that runs each leaf command with an
// AdminClient built from them, so no command repeats that wiring.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/support/commands.h"
#include "kafka/admin_client.h"

namespace sluice::cli {

struct KafkaFlags {
  std::string bootstrap =
      std::getenv("SLUICE_BOOTSTRAP") ? std::getenv("SLUICE_BOOTSTRAP") : "127.0.0.1:9092";
  int timeout_ms = 10000;

  void add_to(CLI::App* cmd) {
    cmd->add_option("--bootstrap", bootstrap, "Kafka bootstrap HOST:PORT (env SLUICE_BOOTSTRAP)")
        ->capture_default_str();
    cmd->add_option("--timeout-ms", timeout_ms, "How long to wait for the cluster")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }
  kafka::Endpoint endpoint() const { return {bootstrap, timeout_ms}; }
};

// Registers leaf commands that each run with an AdminClient built from one
// shared set of KafkaFlags (only one leaf is ever parsed, so sharing is safe).
class AdminCommands {
 public:
  AdminCommands(std::shared_ptr<KafkaFlags> flags, std::vector<CLI::App*>& registered,
                std::vector<Run>& runs)
      : flags_(std::move(flags)), registered_(registered), runs_(runs) {}

  void add(CLI::App* cmd, std::function<int(kafka::AdminClient&)> fn) {
    flags_->add_to(cmd);
    registered_.push_back(cmd);
    runs_.push_back([flags = flags_, fn = std::move(fn)] {
      kafka::AdminClient admin(flags->endpoint());
      return fn(admin);
    });
  }

 private:
  std::shared_ptr<KafkaFlags> flags_;
  std::vector<CLI::App*>& registered_;
  std::vector<Run>& runs_;
};

}  // namespace sluice::cli
