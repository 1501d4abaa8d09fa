// `sluice incident postmortem --out FILE.md` (runbook action A29): drafts the
// post-mortem document of seeds/000's template — summary, timeline, impact,
// root cause, resolution, what went well / could be improved, lessons, action
// items, references — pre-filled from the evidence: the stage logs (timeline,
// DLQ counts by category, failures), a folder written by `sluice incident
// snapshot` (severity, reasons, lag, error rate, metric totals) and, with
// --admin, the live assessment.
//
// Invariant: every figure in the document names the evidence it came from;
// what only a person knows (root cause, resolution, owners, dates, user
// impact) is a [bracketed placeholder]. An existing FILE is never overwritten
// without --force: a post-mortem is edited by people after it is drafted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/incident/incident_evidence.h"
#include "cli/incident/incident_timeline.h"
#include "cli/support/commands.h"

// CLI11 is a large header-only library: headers name its App by declaration only;
// the .cc files that define commands include <CLI/CLI.hpp>.
namespace CLI {
class App;
}  // namespace CLI

namespace sluice::cli {

// Everything the document is drafted from.
struct PostmortemInput {
  std::string title;                      // empty: from the assessment, else a placeholder
  std::optional<ops::Severity> severity;  // as declared; else the assessment's
  std::optional<int64_t> since_ms, until_ms;
  std::vector<std::string> log_files;  // read, in the order given
  LogEvidence logs;
  std::vector<AssessmentEvidence> assessments;  // snapshot first, then live
  std::vector<MetricsEvidence> metrics;
  std::vector<std::string> problems;  // evidence that could not be read
  int64_t now_ms = 0;
};

std::string render_postmortem(const PostmortemInput& in);

// Registers `postmortem` under the `incident` command group.
void add_postmortem_command(CLI::App* incident, std::vector<CLI::App*>& registered,
                            std::vector<Run>& runs);

}  // namespace sluice::cli
