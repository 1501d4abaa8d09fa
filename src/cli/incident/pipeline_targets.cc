#include "cli/incident/pipeline_targets.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>

#include "cli/support/profile.h"
#include "cli/up/process_table.h"

namespace sluice::cli {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The process table's stage processes; a process that is down has port 0.
std::vector<StageTarget> table_targets(const std::vector<ProcessEntry>& table) {
  std::vector<StageTarget> out;
  for (const auto& e : table) {
    if (e.stage.empty()) continue;
    StageTarget t{{"127.0.0.1", 0}, e.name, e.stage, e.group};
    const size_t colon = e.admin.rfind(':');
    if (e.pid > 0 && colon != std::string::npos) {
      t.endpoint.host = e.admin.substr(0, colon);
      t.endpoint.port = std::atoi(e.admin.c_str() + colon + 1);
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

void TargetFlags::add_to(CLI::App* cmd) {
  cmd_ = cmd;
  add_admin_option(cmd, admins);
  cmd->add_option("--data-dir", data_dir,
                  "Look at every process of `sluice up --data-dir DIR` (dead ones too) and its "
                  "broker (env SLUICE_DATA_DIR; default ./sluice-data when `sluice up` runs "
                  "there)");
  kafka.add_to(cmd);
}

ObserveOptions TargetFlags::observe(int64_t window_ms) const {
  ObserveOptions o{{}, kafka, window_ms};
  std::string dir = data_dir;
  const bool admin_named = !admins.empty() || !env("SLUICE_ADMIN").empty();
  if (dir.empty() && !admin_named) dir = defaults().up_data_dir().value_or("");
  if (dir.empty()) {
    o.targets = targets_of(admin_endpoints(admins));
    return o;
  }
  const std::vector<ProcessEntry> table = read_process_table(dir);
  o.targets = table_targets(table);
  const bool bootstrap_named =
      (cmd_ && cmd_->count("--bootstrap") > 0) || !env("SLUICE_BOOTSTRAP").empty();
  for (const auto& e : table) {
    if (e.name == "broker" && !e.admin.empty() && !bootstrap_named) {
      o.kafka.bootstrap = e.admin;
      use_secure_up_login(dir);
    }
  }
  if (o.targets.empty())
    throw std::runtime_error("the process table of " + dir + " lists no stage process");
  return o;
}

}  // namespace sluice::cli
