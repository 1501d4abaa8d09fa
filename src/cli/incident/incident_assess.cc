#include "cli/incident/incident_assess.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <stdexcept>

#include "common/clock.h"
#include "common/json.h"

namespace sluice::cli {
namespace {

// Shortest round-trip spelling (0.1, not 0.10000000000000001); null if not finite.
std::string number(double v) {
  return std::isfinite(v) ? fmt::format("{}", v) : "null";
}

}  // namespace

Assessed assess_pipeline(const ObserveOptions& options) {
  Assessed a;
  a.observation = observe(options);
  a.figures = a.observation.incident_figures();
  a.assessment = ops::assess_incident(a.figures);
  a.at_ms = now_ms();
  return a;
}

std::string assessment_json(const Assessed& a) {
  const ops::IncidentFigures& f = a.figures;
  json::JsonWriter w;
  w.begin_object()
      .field("severity", ops::severity_name(a.assessment.severity))
      .field("incident", a.assessment.incident());
  w.key("reasons").begin_array();
  for (const auto& r : a.assessment.reasons) {
    w.begin_object()
        .field("severity", ops::severity_name(r.severity))
        .field("signal", r.signal)
        .key("figure")
        .raw(number(r.figure))
        .key("threshold")
        .raw(number(r.threshold))
        .field("text", r.text)
        .end_object();
  }
  w.end_array();
  w.key("figures")
      .begin_object()
      .key("lag")
      .raw(number(f.lag))
      .key("error_rate")
      .raw(number(f.error_rate))
      .key("dlq_per_min")
      .raw(number(f.dlq_per_min))
      .field("workers_up", f.workers_up)
      .field("workers_total", f.workers_total)
      .field("open_breakers", f.open_breakers)
      .field("broker_reachable", f.broker_reachable)
      .key("lag_seconds")
      .raw(number(a.observation.after.max_lag_seconds))
      .end_object();
  w.field("error_rate_basis", a.observation.error_rate_from_totals() ? "totals" : "window");
  w.key("window_s").raw(number(a.observation.window_s));
  w.key("affected").begin_array();
  for (const auto& s : a.observation.affected()) w.value(s);
  w.end_array();
  w.field("assessed_at", format_utc(a.at_ms)).end_object();
  return w.str();
}

void print_assessment(const Assessed& a, std::FILE* out) {
  const ops::IncidentFigures& f = a.figures;
  const ops::Severity s = a.assessment.severity;
  const SeverityPolicy& policy = severity_policy(s);
  if (a.assessment.incident()) {
    std::fprintf(out, "%s: %s (response time %s)\n", ops::severity_name(s).data(),
                 policy.definition.data(), policy.response_time.data());
  } else {
    std::fprintf(out, "SEV-4: no incident%s\n",
                 a.assessment.reasons.empty() ? " - every figure is within the runbook's thresholds"
                                              : " - informational only");
  }
  for (const auto& r : a.assessment.reasons) std::fprintf(out, "  - %s\n", r.text.c_str());
  const Observation& o = a.observation;
  std::fprintf(out, "figures over %.1f s:\n", o.window_s);
  std::fprintf(out, "  lag            %s messages%s\n", ops::format_count(f.lag).c_str(),
               o.broker.lag ? "" : " (stage gauges only; the broker's lag was unavailable)");
  std::fprintf(out, "  error rate     %s (%s)\n", ops::format_percent(f.error_rate).c_str(),
               o.error_rate_from_totals()
                   ? "since the stages started: nothing consumed in the window"
                   : "failed attempts per record consumed in the window");
  std::fprintf(out, "  DLQ growth     %.1f/min\n", f.dlq_per_min);
  std::fprintf(out, "  workers up     %d of %d\n", f.workers_up, f.workers_total);
  std::fprintf(out, "  open breakers  %d\n", f.open_breakers);
  std::fprintf(out, "  broker         %s\n",
               f.broker_reachable ? "reachable" : ("UNREACHABLE: " + o.broker.error).c_str());
  const auto affected = o.affected();
  for (size_t i = 0; i < affected.size(); ++i) {
    std::fprintf(out, "%s%s", i == 0 ? "affected: " : ", ", affected[i].c_str());
  }
  if (!affected.empty()) std::fprintf(out, "\n");
}

TemplateInput template_input(const Assessed& a, std::optional<ops::Severity> announced,
                             std::optional<int64_t> started_ms) {
  TemplateInput in;
  in.severity = announced.value_or(a.assessment.severity);
  in.assessment = a.assessment;
  in.figures = a.figures;
  in.lag_seconds = a.observation.after.max_lag_seconds;
  in.affected = a.observation.affected();
  in.breakers.assign(a.observation.after.open_breaker_names.begin(),
                     a.observation.after.open_breaker_names.end());
  in.now_ms = a.at_ms;
  in.started_ms = started_ms;
  return in;
}

ops::Severity parse_severity(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
  }
  std::string lower;
  for (char c : text) lower += char(std::tolower(static_cast<unsigned char>(c)));
  // P1..P4 are the priority names of the operations runbook (seed 004), whose
  // table matches SEV-1..SEV-4 one to one.
  const bool spelled = lower == digits || lower == "sev" + digits || lower == "sev-" + digits ||
                       lower == "p" + digits;
  if (!spelled || digits.size() != 1 || digits[0] < '1' || digits[0] > '4') {
    throw std::invalid_argument("--severity '" + text +
                                "' is not SEV-1, SEV-2, SEV-3 or SEV-4 (or P1..P4)");
  }
  return static_cast<ops::Severity>(digits[0] - '0');
}

}  // namespace sluice::cli
