#include "cli/support/kafka_flags.h"

#include <CLI/CLI.hpp>

namespace sluice::cli {

void KafkaFlags::add_to(CLI::App* cmd) {
  cmd->add_option("--bootstrap", bootstrap,
                  "Kafka bootstrap HOST:PORT (env SLUICE_BOOTSTRAP, profile `bootstrap:`)")
      ->capture_default_str();
  cmd->add_option("--timeout-ms", timeout_ms, "How long to wait for the cluster")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

void AdminCommands::add(CLI::App* cmd, std::function<int(kafka::AdminClient&)> fn) {
  flags_->add_to(cmd);
  registered_.push_back(cmd);
  runs_.push_back([flags = flags_, fn = std::move(fn)] {
    kafka::AdminClient admin(flags->endpoint());
    return fn(admin);
  });
}

}  // namespace sluice::cli
