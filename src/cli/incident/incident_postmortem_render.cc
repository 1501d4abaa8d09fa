// The post-mortem document itself: seeds/000's "Post-Mortem Template", section
// by section, each pre-filled from PostmortemInput where evidence exists.
#include <fmt/format.h>

#include <algorithm>

#include "cli/incident/incident_postmortem.h"
#include "cli/incident/incident_templates.h"

namespace sluice::cli {
namespace {

// "validation 5, transient 25"; most frequent first.
template <typename Map>
std::string by_count(const Map& counts) {
  std::vector<std::pair<std::string, double>> items;
  for (const auto& [k, v] : counts) items.emplace_back(k, double(v));
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (const auto& [k, v] : items) {
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", k.empty() ? "(none)" : k,
                       ops::format_count(v));
  }
  return out;
}

std::string evidence_window(const PostmortemInput& in, std::optional<int64_t>& from,
                            std::optional<int64_t>& to) {
  from = in.since_ms ? in.since_ms : in.logs.first_ms;
  to = in.until_ms ? in.until_ms : in.logs.last_ms;
  if (!from || !to || *to < *from) return "";
  const int64_t minutes = (*to - *from) / 60000;
  const bool days = *to / 86'400'000 != *from / 86'400'000;
  return fmt::format("{} hours {} minutes ({} to {} UTC, {})", minutes / 60, minutes % 60,
                     format_clock(*from, days), format_clock(*to, days),
                     in.since_ms || in.until_ms ? "--since/--until"
                                                : "first to last line of the logs read; set the "
                                                  "incident's real start and end");
}

std::string severity_text(const PostmortemInput& in) {
  if (in.severity) return std::string(ops::severity_name(*in.severity)) + " (declared)";
  for (const auto& a : in.assessments) {
    if (!a.severity.empty()) return a.severity + " (" + a.origin + "; confirm or correct)";
  }
  return "[SEV-X]";
}

std::string title_text(const PostmortemInput& in) {
  if (!in.title.empty()) return in.title;
  for (const auto& a : in.assessments) {
    if (!a.reasons.empty()) return "Kafka Pipeline - " + a.reasons.front() + " [edit the title]";
  }
  return "[Incident Title]";
}

void header(std::string& md, const PostmortemInput& in) {
  std::optional<int64_t> from, to;
  const std::string window = evidence_window(in, from, to);
  md += fmt::format("# Post-Mortem: {}\n\n", title_text(in));
  md += fmt::format("**Date**: {}\n",
                    from ? format_utc(*from).substr(0, 10) : std::string("[Incident date]"));
  md += fmt::format("**Severity**: {}\n", severity_text(in));
  md += fmt::format("**Duration**: {}\n", window.empty() ? "[X hours Y minutes]" : window);
  md += "**Incident Commander**: [Name]\n\n";
  std::vector<std::string> sources;
  if (!in.log_files.empty()) {
    sources.push_back(fmt::format("{} log file(s) ({} line(s) in the window)", in.log_files.size(),
                                  in.logs.lines_in_window));
  }
  for (const auto& a : in.assessments) sources.push_back(a.origin);
  for (const auto& m : in.metrics) sources.push_back(m.origin);
  std::string list;
  for (const auto& s : sources) list += (list.empty() ? "" : "; ") + s;
  md += fmt::format(
      "> Drafted by `sluice incident postmortem` at {} from: {}. Figures and timeline rows come "
      "from that evidence; every [bracketed] text is for a person to fill in.\n\n",
      format_utc(in.now_ms), list.empty() ? "no evidence (template only)" : list);
}

void summary(std::string& md, const PostmortemInput& in) {
  const LogEvidence& l = in.logs;
  md += "## Summary\n\n[2-3 sentence summary of incident]\n\nWhat the evidence shows:\n\n";
  std::vector<std::string> facts;
  for (const auto& a : in.assessments) {
    std::string reasons;
    for (const auto& r : a.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
    facts.push_back(
        fmt::format("{}: {}{}", a.origin, a.severity, reasons.empty() ? "" : " - " + reasons));
  }
  if (!in.log_files.empty()) {
    facts.push_back(
        fmt::format("{} event(s) dead-lettered{}", l.total_dead_lettered(),
                    l.dead_lettered.empty() ? "" : " (" + by_count(l.dead_lettered) + ")"));
    facts.push_back(
        fmt::format("{} failed processing attempt(s){}", l.total_failed_attempts(),
                    l.failed_attempts.empty() ? "" : " (" + by_count(l.failed_attempts) + ")"));
    facts.push_back(fmt::format("{} pause(s) of consumption, {} because a circuit breaker opened",
                                l.pauses, l.breaker_opens));
    facts.push_back(fmt::format("{} stage restart(s)", l.restarts));
  }
  for (const auto& f : facts) md += "- " + f + "\n";
  if (facts.empty()) md += "- [no evidence given: pass --logs, --snapshot or --admin]\n";
  md += "\n";
}

void timeline(std::string& md, const PostmortemInput& in) {
  const bool days = in.logs.first_ms && in.logs.last_ms &&
                    *in.logs.first_ms / 86'400'000 != *in.logs.last_ms / 86'400'000;
  md += "## Timeline\n\n";
  md +=
      "Events from the stage logs (repeated warnings and errors grouped per process and kind, with "
      "counts). Add "
      "what the logs cannot know: when the alert fired, who acknowledged, what was decided.\n\n";
  md += "| Time (UTC) | Source | Event |\n|------------|--------|-------|\n";
  for (const auto& e : in.logs.timeline) {
    md += fmt::format("| {} | {} | {} |\n", format_clock(e.ts_ms, days), e.source, e.event);
  }
  md +=
      "| [HH:MM] | [who] | [Alert fired / acknowledged / mitigation / recovery verified / "
      "incident resolved] |\n\n";
}

std::string percent(double v) {
  return ops::format_percent(v);
}

void impact(std::string& md, const PostmortemInput& in) {
  const LogEvidence& l = in.logs;
  std::optional<int64_t> from, to;
  const std::string window = evidence_window(in, from, to);
  md += "## Impact\n\n";
  md += "- **Users affected**: [X% of downloads delayed]\n";
  md += fmt::format("- **Duration**: {}\n", window.empty() ? "[X hours Y minutes]" : window);
  md += fmt::format(
      "- **Data impact**: {}[no data loss / what was lost], [delay in processing]\n",
      in.log_files.empty()
          ? ""
          : fmt::format("{} event(s) dead-lettered{}; ", l.total_dead_lettered(),
                        l.dead_lettered.empty() ? "" : " (" + by_count(l.dead_lettered) + ")"));
  md += "- **Downstream systems**: [e.g. analytics reporting delayed by 2 hours]\n\n";

  md += "| Figure | Value | Source |\n|--------|-------|--------|\n";
  auto row = [&](const std::string& figure, const std::string& value, const std::string& source) {
    md += fmt::format("| {} | {} | {} |\n", figure, value, source);
  };
  if (!in.log_files.empty()) {
    row("Events dead-lettered",
        fmt::format("{}{}", l.total_dead_lettered(),
                    l.dead_lettered.empty() ? "" : " (" + by_count(l.dead_lettered) + ")"),
        "stage logs");
    row("Failed processing attempts",
        fmt::format("{}{}", l.total_failed_attempts(),
                    l.failed_attempts.empty() ? "" : " (" + by_count(l.failed_attempts) + ")"),
        "stage logs");
    if (l.peak_failures_per_minute > 0) {
      row("Peak failed attempts per minute",
          fmt::format("{} (minute starting {})", l.peak_failures_per_minute,
                      format_clock(l.peak_minute_ms, false)),
          "stage logs");
    }
    if (!l.failures_by_host.empty())
      row("Download failures by domain", by_count(l.failures_by_host), "download stage logs");
    std::string paused;
    for (const auto& [stage, ms] : l.paused_ms)
      paused += fmt::format("{}{} {:.1f} s", paused.empty() ? "" : ", ", stage, double(ms) / 1000);
    row("Consumption paused",
        fmt::format("{} time(s){}", l.pauses, paused.empty() ? "" : ": " + paused), "stage logs");
    row("Circuit breaker openings", std::to_string(l.breaker_opens), "stage logs");
    row("Stage restarts", std::to_string(l.restarts), "stage logs");
  }
  std::optional<double> peak_lag;
  for (const auto& m : in.metrics) {
    if (m.dead_lettered)
      row("Events dead-lettered", ops::format_count(*m.dead_lettered),
          m.origin + ": kafka_messages_produced_total on *.dlq topics");
    if (!m.errors_by_category.empty())
      row("Processing errors by category", by_count(m.errors_by_category),
          m.origin + ": kafka_processing_errors_total");
    if (m.errors && m.consumed && *m.consumed > 0)
      row("Error rate (totals)", percent(std::min(1.0, *m.errors / *m.consumed)),
          m.origin + ": errors / consumed since the stages started");
    if (m.lag) peak_lag = std::max(peak_lag.value_or(0), *m.lag);
  }
  for (const auto& a : in.assessments) {
    if (a.error_rate) row("Error rate", percent(*a.error_rate), a.origin);
    if (a.dlq_per_min) row("DLQ growth", fmt::format("{:.1f}/min", *a.dlq_per_min), a.origin);
    if (a.lag) peak_lag = std::max(peak_lag.value_or(0), *a.lag);
    if (a.lag_seconds && *a.lag_seconds > 0)
      row("Oldest unprocessed record", fmt::format("{:.1f} s", *a.lag_seconds), a.origin);
  }
  row("Peak consumer lag",
      peak_lag ? ops::format_count(*peak_lag) + " messages (the largest observed)"
               : "[unknown: stage logs do not record lag; give --snapshot or --admin, or read "
                 "kafka_consumer_lag from Prometheus]",
      peak_lag ? "snapshot / live assessment and metrics" : "-");
  md += "\n";
}

void root_cause(std::string& md, const PostmortemInput& in) {
  md += "## Root Cause\n\n[Detailed technical explanation of what caused the incident]\n\n";
  std::vector<std::pair<std::string, int64_t>> leads(in.logs.error_messages.begin(),
                                                     in.logs.error_messages.end());
  std::stable_sort(leads.begin(), leads.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (leads.empty()) return;
  md += "Leads from the logs (most frequent failures first):\n\n";
  for (size_t i = 0; i < leads.size() && i < 5; ++i)
    md += fmt::format("- {} × {}\n", leads[i].second, leads[i].first);
  md += "\n";
}

void action_items(std::string& md, const PostmortemInput& in) {
  md += "## Action Items\n\n";
  md += "| Action | Owner | Due Date | Priority |\n|--------|-------|----------|----------|\n";
  for (const auto& [from, n] : in.logs.dead_lettered_from) {
    const auto& [topic, category] = from;
    if (topic.empty()) continue;
    md += fmt::format(
        "| Once fixed, replay the {} {} record(s) dead-lettered from {}: `sluice dlq replay "
        "{}.dlq --all --category {}{}` (preview with --dry-run) | [Owner] | [YYYY-MM-DD] | "
        "[High/Medium/Low] |\n",
        n, category, topic, topic, category,
        in.logs.first_ms ? " --since " + format_utc(*in.logs.first_ms) : "");
  }
  md += "| [Action to prevent recurrence] | [Owner] | [YYYY-MM-DD] | [High/Medium/Low] |\n";
  md +=
      "| [Update the runbook with what was learned] | [Owner] | [YYYY-MM-DD] | "
      "[High/Medium/Low] |\n\n";
}

void references(std::string& md, const PostmortemInput& in) {
  md += "## References\n\n";
  for (const auto& f : in.log_files) md += "- Log: `" + f + "`\n";
  for (const auto& a : in.assessments) md += "- Assessment: " + a.origin + "\n";
  for (const auto& p : in.problems) md += "- Evidence NOT used: " + p + "\n";
  md +=
      "- Incident ticket: [JIRA-123]\n- Grafana snapshots: [link]\n"
      "- Communication thread: [link]\n";
}

}  // namespace

std::string render_postmortem(const PostmortemInput& in) {
  std::string md;
  header(md, in);
  summary(md, in);
  timeline(md, in);
  impact(md, in);
  root_cause(md, in);
  md += "## Resolution\n\n[Detailed explanation of how it was fixed]\n\n";
  md += "## What Went Well\n\n- [e.g. fast acknowledgement, correct diagnosis]\n\n";
  md += "## What Could Be Improved\n\n- [e.g. earlier detection, faster mitigation]\n\n";
  md += "## Lessons Learned\n\n- [What this incident taught us]\n\n";
  action_items(md, in);
  references(md, in);
  return md;
}

}  // namespace sluice::cli
