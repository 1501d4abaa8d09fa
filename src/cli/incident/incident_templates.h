// The incident runbooks' status updates (seeds/000 "Communication Template",
// "Status Update Template", "Resolution Communication"; seeds/002 initial /
// update / resolution announcements), filled from live figures, and the
// severity policy those updates quote (definition, response time, how often to
// update).
//
// Invariant: every figure a template states comes from TemplateInput; what
// only a person knows (impact on users, root cause, names) stays a bracketed
// placeholder such as "[Name]", so nothing is invented.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ops/incident_assessment.h"

namespace sluice::cli {

struct SeverityPolicy {
  std::string_view definition;     // "Significant degradation, partial outage"
  std::string_view response_time;  // "< 1 hour"
  int update_every_minutes;        // 0: no scheduled updates
};
const SeverityPolicy& severity_policy(ops::Severity s);

enum class TemplateKind { kInitial, kUpdate, kResolved };
// "initial", "update", "resolved"; nullopt otherwise.
std::optional<TemplateKind> template_kind(std::string_view name);

struct TemplateInput {
  ops::Severity severity = ops::Severity::kSev4;  // as announced (may differ from the live one)
  ops::IncidentAssessment assessment;             // the live one
  ops::IncidentFigures figures;
  double lag_seconds = 0;             // age of the oldest unprocessed record
  std::vector<std::string> affected;  // stages or endpoints in trouble
  std::vector<std::string> breakers;  // names of open breakers
  int64_t now_ms = 0;
  std::optional<int64_t> started_ms;  // when the incident began, if known
};

std::string render_template(TemplateKind kind, const TemplateInput& in);

// 1795392000000 -> "2026-11-22T10:00:00Z".
std::string format_utc(int64_t epoch_ms);

}  // namespace sluice::cli
