// Prometheus gauges over the incident log, for the process that serves them
// (`sluice exporter`): the log is read again on every scrape (on_collect), so
// the figures are the file's, never a copy that drifts from it.
//
//   sluice_incidents_open{severity="SEV-1".."SEV-4"}     incidents not resolved
//   sluice_incident_overdue{severity="SEV-1".."SEV-4"}   of those, unacknowledged past
//                                                        their response time
//   sluice_incident_log_damaged_lines                    lines ignored (a torn last line)
//   sluice_incident_log_readable                         1 when the last read worked, else 0
//
// Invariant: every severity's series exists from registration on (0 when there
// is none), so an alert on `> 0` resolves by the value falling, never by the
// series vanishing. A missing log is an empty one; an unreadable log sets
// sluice_incident_log_readable to 0 and leaves the other gauges as they were.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "cli/incident/incident_response_time.h"
#include "ops/metrics.h"

namespace sluice::cli {

void register_incident_metrics(ops::MetricsRegistry& registry, std::string log_path,
                               ResponseTimes times, std::function<int64_t()> clock_ms);

}  // namespace sluice::cli
