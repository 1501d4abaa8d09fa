// The options every cluster-facing command shares — where the cluster is and
// how long to wait for it — and a registrar that runs each leaf command with an
// AdminClient built from them, so no command repeats that wiring.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/support/commands.h"
#include "cli/support/profile.h"
#include "kafka/admin_client.h"

// CLI11 is a large header-only library: headers name its App by declaration only;
// the .cc files that define commands include <CLI/CLI.hpp>.
namespace CLI {
class App;
}  // namespace CLI

namespace sluice::cli {

struct KafkaFlags {
  std::string bootstrap = defaults().bootstrap();
  int timeout_ms = 10000;

  void add_to(CLI::App* cmd);
  kafka::Endpoint endpoint() const { return {bootstrap, timeout_ms}; }
};

// Registers leaf commands that each run with an AdminClient built from one
// shared set of KafkaFlags (only one leaf is ever parsed, so sharing is safe).
class AdminCommands {
 public:
  AdminCommands(std::shared_ptr<KafkaFlags> flags, std::vector<CLI::App*>& registered,
                std::vector<Run>& runs)
      : flags_(std::move(flags)), registered_(registered), runs_(runs) {}

  void add(CLI::App* cmd, std::function<int(kafka::AdminClient&)> fn);

 private:
  std::shared_ptr<KafkaFlags> flags_;
  std::vector<CLI::App*>& registered_;
  std::vector<Run>& runs_;
};

}  // namespace sluice::cli
