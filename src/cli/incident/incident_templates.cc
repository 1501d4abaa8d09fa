// Every status-update template lives here, as the runbooks write them, so an
// operator comparing this output with seeds/000 and seeds/002 finds the same
// headings in the same order.
#include "cli/incident/incident_templates.h"

#include <fmt/format.h>

#include <ctime>

namespace sluice::cli {
namespace {

using ops::Severity;

constexpr std::string_view kInitial = R"(INCIDENT: [{severity}] Kafka Pipeline - {summary}

Started: {now}
Severity: {severity} - {definition} (response time {response_time})

Impact:
- User-facing: [Yes/No - describe impact]
- Data delay: {data_delay}
- Affected systems: {affected}

Signals:
{reasons}
Live figures ({now}):
{figures}
Status: Investigating

ETA for update: {next_update}

Incident Commander: [Name]
Incident Channel: #kafka-pipeline-incidents
Incident Ticket: [JIRA-123]
)";

constexpr std::string_view kUpdate = R"(INCIDENT UPDATE - [{severity}] {now}

Current Status: [Investigating / Identified / Resolving / Monitoring / Resolved]
Started: {started}
Duration: {duration}

What we know:
- Live assessment: {live_severity}
{reasons}- [Key findings from investigation]

Impact:
- [Current user impact]
- Data delay: {data_delay}
- Affected systems: {affected}

Live figures ({now}):
{figures}
Actions taken:
- [What we've done so far]

Next steps:
- [What we're doing next]
- Next update: {next_update}

Incident Commander: [Name]
)";

constexpr std::string_view kResolved = R"(INCIDENT RESOLVED - [{severity}] {now}

Summary:
[Brief description of what happened]

Impact:
- Duration: {duration}
- Users affected: [Number or percentage]
- Data impact: [None / Delayed / Lost - with specifics]; outstanding now: {data_delay}

Figures at resolution ({now}, live assessment {live_severity}):
{figures}
Root cause:
[What caused the incident]

Resolution:
[How it was fixed]

Next steps:
- Post-mortem scheduled: [Date/time]
- Preventive measures: [Brief list]

Thank you to all responders and affected users for patience.

Incident Commander: [Name]
)";

std::string join(const std::vector<std::string>& items, std::string_view none) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? std::string(none) : out;
}

std::string age(double seconds) {
  if (seconds < 120) return fmt::format("{:.0f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

std::string duration(const TemplateInput& in) {
  if (!in.started_ms) return "[X hours Y minutes] (pass --started to compute it)";
  const int64_t minutes = std::max<int64_t>(0, (in.now_ms - *in.started_ms) / 60000);
  return fmt::format("{} hours {} minutes", minutes / 60, minutes % 60);
}

std::string data_delay(const TemplateInput& in) {
  if (in.figures.lag <= 0) return "none (consumer lag 0)";
  // A paused consumer reports no age for what it has not fetched yet.
  if (in.lag_seconds <= 0) return ops::format_count(in.figures.lag) + " messages behind";
  return fmt::format("{} messages behind, the oldest waiting {}", ops::format_count(in.figures.lag),
                     age(in.lag_seconds));
}

std::string figures(const TemplateInput& in) {
  const ops::IncidentFigures& f = in.figures;
  return fmt::format(
      "- Consumer lag: {} messages\n- Error rate: {}\n- DLQ growth: {:.1f}/min\n"
      "- Stage processes up: {} of {}\n- Open circuit breakers: {}\n- Broker: {}\n",
      ops::format_count(f.lag), ops::format_percent(f.error_rate), f.dlq_per_min, f.workers_up,
      f.workers_total, join(in.breakers, "none"), f.broker_reachable ? "reachable" : "UNREACHABLE");
}

std::string reasons(const TemplateInput& in) {
  std::string out;
  for (const auto& r : in.assessment.reasons) out += "- " + r.text + "\n";
  return out.empty() ? "- every figure is within the runbook's thresholds\n" : out;
}

std::string next_update(const TemplateInput& in) {
  const int every = severity_policy(in.severity).update_every_minutes;
  if (every == 0) return fmt::format("none scheduled for {}", ops::severity_name(in.severity));
  return fmt::format("{} (every {} minutes for {})", format_utc(in.now_ms + every * 60000LL), every,
                     ops::severity_name(in.severity));
}

}  // namespace

const SeverityPolicy& severity_policy(Severity s) {
  static const SeverityPolicy kSev1{"Complete service outage, data loss", "< 15 minutes", 15};
  static const SeverityPolicy kSev2{"Significant degradation, partial outage", "< 1 hour", 60};
  static const SeverityPolicy kSev3{"Minor degradation, limited user impact", "< 4 hours", 240};
  static const SeverityPolicy kSev4{"No immediate user impact, monitoring alert", "< 24 hours", 0};
  switch (s) {
    case Severity::kSev1:
      return kSev1;
    case Severity::kSev2:
      return kSev2;
    case Severity::kSev3:
      return kSev3;
    case Severity::kSev4:
      break;
  }
  return kSev4;
}

std::optional<TemplateKind> template_kind(std::string_view name) {
  if (name == "initial") return TemplateKind::kInitial;
  if (name == "update") return TemplateKind::kUpdate;
  if (name == "resolved") return TemplateKind::kResolved;
  return std::nullopt;
}

std::string format_utc(int64_t epoch_ms) {
  const std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string render_template(TemplateKind kind, const TemplateInput& in) {
  const std::string_view text = kind == TemplateKind::kInitial  ? kInitial
                                : kind == TemplateKind::kUpdate ? kUpdate
                                                                : kResolved;
  const SeverityPolicy& policy = severity_policy(in.severity);
  const auto& r = in.assessment.reasons;
  return fmt::format(
      fmt::runtime(text), fmt::arg("severity", ops::severity_name(in.severity)),
      fmt::arg("live_severity", ops::severity_name(in.assessment.severity)),
      fmt::arg("summary", r.empty() ? std::string("no threshold crossed")
                                    : r.front().text.substr(0, r.front().text.rfind(" ("))),
      fmt::arg("definition", policy.definition), fmt::arg("response_time", policy.response_time),
      fmt::arg("now", format_utc(in.now_ms)),
      fmt::arg("started",
               in.started_ms ? format_utc(*in.started_ms) : "[Time] (pass --started to fill it)"),
      fmt::arg("duration", duration(in)), fmt::arg("data_delay", data_delay(in)),
      fmt::arg("affected", join(in.affected, "none showing trouble")),
      fmt::arg("reasons", reasons(in)), fmt::arg("figures", figures(in)),
      fmt::arg("next_update", next_update(in)));
}

}  // namespace sluice::cli
