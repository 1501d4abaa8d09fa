// `sluice incident open|update|resolve` (writing the incident log) and
// `sluice incident list|stats` (reading it): the runbook's incident ticket and
// its monthly metrics, kept in DATA/incidents.jsonl (incident_log.h).
//
// Every one of them takes `--data-dir` (env SLUICE_DATA_DIR, default
// sluice-data, as `sluice ps`) and `--at TS`: the time to record (open,
// update, resolve) or to judge by (list, stats) instead of the clock, so a
// late entry carries the real time and a test is deterministic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/support/commands.h"

// CLI11 is a large header-only library: headers name its App by declaration only;
// the .cc files that define commands include <CLI/CLI.hpp>.
namespace CLI {
class App;
}  // namespace CLI

namespace sluice::cli {

struct IncidentLogFlags {
  std::string data_dir;
  std::string at;

  void add_to(CLI::App* cmd, const char* at_help);
  std::string log_path() const;
  int64_t now_ms() const;  // --at, else the clock
};

void add_incident_record_commands(CLI::App* incident, std::vector<CLI::App*>& registered,
                                  std::vector<Run>& runs);
void add_incident_report_commands(CLI::App* incident, std::vector<CLI::App*>& registered,
                                  std::vector<Run>& runs);

}  // namespace sluice::cli
