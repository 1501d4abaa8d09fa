// What the incident log says about the response process (runbook seed 002,
// "Incident Metrics"): per severity, MTTD, MTTA and MTTR, and the incidents
// that repeat an earlier one — over the incidents opened in a window.
//
//   MTTD  mean(opened - fired)        incidents with a fired (alert) time
//   MTTA  mean(acknowledged - opened) acknowledged incidents
//   MTTR  mean(resolved - fired)      resolved incidents; from `opened` when no
//                                     alert time is known (opened by hand)
//
// MTTR starts at the firing because the seed measures it "from detection to
// resolution" and the alert firing is the detection; an incident opened with
// no alert has no earlier detection time than its opening.
//
// A repeat is an incident whose fingerprint (Incident::fingerprint) matches an
// earlier incident opened in the same window; the seed's target is < 10%.
//
// Invariant: pure — the same log, clock and window give the same figures. An
// incident counts under its latest severity.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/incident/incident_log.h"
#include "cli/incident/incident_response_time.h"

namespace sluice::cli {

struct MeanDuration {
  int64_t total_ms = 0;
  int count = 0;
  void add(int64_t ms) { total_ms += ms, count += 1; }
  std::optional<double> mean_ms() const {
    return count ? std::optional<double>(double(total_ms) / count) : std::nullopt;
  }
};

struct SeverityFigures {
  int incidents = 0, open = 0, overdue = 0;
  MeanDuration mttd, mtta, mttr;
  int mttr_from_opened = 0;  // of mttr.count: measured from `opened` (no fired time)
};

struct RepeatedIncident {
  std::string fingerprint;
  std::vector<std::string> ids;  // in opening order; every one after the first is a repeat
};

struct IncidentStats {
  int64_t from_ms = 0, to_ms = 0;
  std::array<SeverityFigures, 4> by_severity;  // index SEV-N - 1
  SeverityFigures all;
  std::vector<RepeatedIncident> repeated;
  int repeats = 0;  // incidents that repeat an earlier one in the window
};

IncidentStats incident_stats(const IncidentLog& log, int64_t now_ms, int64_t window_ms,
                             const ResponseTimes& times);

}  // namespace sluice::cli
