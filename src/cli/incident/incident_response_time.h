// How soon an incident of each severity must get its first response, by the
// operations runbook's escalation table (seed 004): SEV-1/P1 15 minutes,
// SEV-2/P2 1 hour, SEV-3/P3 4 hours, SEV-4/P4 the next business day —
// overridable per severity (`--response-time SEV-1=10m`).
//
// An incident is *overdue* while it is open, nobody has acknowledged it, and
// its response time since it was opened has passed: the response time is the
// time to the first response, and `incident update --ack` is that response.
// (An acknowledged incident is being worked on; how long that takes is MTTR's
// business, not a page's.)
//
// "Next business day": the response is due by the end (24:00 UTC) of the first
// Monday-to-Friday day after the day the incident was opened. Holidays are not
// known; set a fixed time (`SEV-4=24h`) where that matters.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "cli/incident/incident_log.h"

namespace sluice::cli {

class ResponseTimes {
 public:
  ResponseTimes();  // the runbook's table

  // "SEV-1=10m", "P4=next-business-day"; throws std::invalid_argument naming
  // the expected form.
  void set(const std::string& spec);
  // When a response to an incident of `s` opened at `opened_ms` is due.
  int64_t due_ms(ops::Severity s, int64_t opened_ms) const;
  std::string describe(ops::Severity s) const;  // "15m", "next business day"

 private:
  // Per severity (index SEV-N - 1): a duration, or nullopt for the next business day.
  std::array<std::optional<int64_t>, 4> within_ms_;
};

bool overdue(const Incident& i, const ResponseTimes& times, int64_t now_ms);

}  // namespace sluice::cli
