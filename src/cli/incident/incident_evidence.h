// The evidence `sluice incident postmortem` takes besides stage logs: an
// assessment (severity, reasons, figures) and metric totals, read either from a
// folder written by `sluice incident snapshot` (assessment.json and
// metrics-*.prom) or from the running pipeline (`--admin`).
//
// Invariant: a figure that was not in the evidence stays empty (nullopt), so
// the document says "unknown" instead of a made-up zero.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/incident/incident_assess.h"

namespace sluice::cli {

struct AssessmentEvidence {
  std::string origin;    // "snapshot DIR (assessed 2026-...)" / "live assessment at 2026-..."
  std::string severity;  // "SEV-3"
  std::vector<std::string> reasons;
  std::optional<double> lag, error_rate, dlq_per_min, lag_seconds;
  std::vector<std::string> affected;
};

struct MetricsEvidence {
  std::string origin;                   // "snapshot metrics (2 page(s))" / "live /metrics"
  std::optional<double> dead_lettered;  // produced to *.dlq / *.dlq.parked
  std::map<std::string, double> errors_by_category;  // kafka_processing_errors_total
  std::optional<double> errors, consumed, lag;       // totals over every page
};

struct SnapshotEvidence {
  std::optional<AssessmentEvidence> assessment;
  std::optional<MetricsEvidence> metrics;
  std::vector<std::string> log_files;  // DIR/logs/*
  std::vector<std::string> problems;   // what could not be read, and why
};

SnapshotEvidence read_snapshot(const std::string& dir);

AssessmentEvidence live_assessment(const Assessed& a);
MetricsEvidence live_metrics(const Assessed& a);

}  // namespace sluice::cli
