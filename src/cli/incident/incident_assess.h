// `sluice incident assess`: observe the pipeline over a window, classify it
// with ops::assess_incident (the runbook's severity table), and say so — as
// text for people, as JSON for scripts and for `incident snapshot`.
//
// Invariant: the text, the JSON and the templates all describe one
// Assessed value, so they can never disagree about a figure.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "cli/incident/incident_templates.h"
#include "cli/incident/pipeline_observation.h"
#include "ops/incident_assessment.h"

namespace sluice::cli {

struct Assessed {
  Observation observation;
  ops::IncidentFigures figures;
  ops::IncidentAssessment assessment;
  int64_t at_ms = 0;  // wall clock at the end of the window
};

Assessed assess_pipeline(const ObserveOptions& options);

// {severity, incident, reasons:[{severity, signal, figure, threshold, text}],
//  figures:{lag, error_rate, dlq_per_min, workers_up, workers_total, open_breakers,
//  broker_reachable, lag_seconds}, error_rate_basis, window_s, affected, assessed_at}
std::string assessment_json(const Assessed& a);

void print_assessment(const Assessed& a, std::FILE* out);

// The template inputs for `a`; `announced` overrides the severity stated.
TemplateInput template_input(const Assessed& a, std::optional<ops::Severity> announced,
                             std::optional<int64_t> started_ms);

// "SEV-2", "sev2", "2", "P2" -> Severity; throws std::invalid_argument otherwise.
ops::Severity parse_severity(const std::string& text);

}  // namespace sluice::cli
