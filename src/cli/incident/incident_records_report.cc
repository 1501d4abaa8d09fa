// `sluice incident list` (open incidents, overdue ones flagged) and
// `sluice incident stats` (MTTD / MTTA / MTTR per severity, repeats): the
// incident log read back, as tables for people and JSON for scripts.
//
// Exit codes: 0, whatever the incidents say (the overdue alert is the page);
// 1 when the log cannot be read or a flag is malformed.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <array>
#include <cstdio>
#include <memory>

#include "cli/incident/incident_records_command.h"
#include "cli/incident/incident_stats.h"
#include "cli/support/table.h"
#include "common/json.h"
#include "pipeline/config_text.h"

namespace sluice::cli {
namespace {

constexpr std::array kSeverities = {ops::Severity::kSev1, ops::Severity::kSev2,
                                    ops::Severity::kSev3, ops::Severity::kSev4};

struct ReportFlags {
  IncidentLogFlags log;
  std::vector<std::string> response_times;  // SEV-N=DURATION
  std::string window = "30d";
  bool all = false, json = false;

  ResponseTimes times() const {
    ResponseTimes t;
    for (const auto& spec : response_times) t.set(spec);
    return t;
  }
};

// "2d 04h", "1h 05m", "12m 30s", "45s".
std::string human(int64_t ms) {
  const int64_t s = std::max<int64_t>(0, ms / 1000);
  if (s >= 86400) return fmt::format("{}d {:02}h", s / 86400, s % 86400 / 3600);
  if (s >= 3600) return fmt::format("{}h {:02}m", s / 3600, s % 3600 / 60);
  if (s >= 60) return fmt::format("{}m {:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

std::string state(const Incident& i) {
  return !i.open()        ? "resolved"
         : i.mitigated_ms ? "mitigated"
         : i.acked_ms     ? "acknowledged"
                          : "open";
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// "OVERDUE by 5m 00s (15m)", "due in 10m 00s", "acknowledged" ...
std::string response(const Incident& i, const ResponseTimes& t, int64_t now) {
  if (!i.open() || i.acked_ms) return "-";
  const int64_t due = t.due_ms(i.severity, i.opened_ms);
  if (overdue(i, t, now))
    return "OVERDUE by " + human(now - due) + " (" + t.describe(i.severity) + ")";
  return "due in " + human(due - now);
}

void optional_time(json::JsonWriter& w, const char* key, const std::optional<int64_t>& ms) {
  w.key(key);
  if (ms) {
    w.value(format_utc_ms(*ms));
  } else {
    w.null();
  }
}

void incident_json(json::JsonWriter& w, const Incident& i, const ResponseTimes& t, int64_t now) {
  w.begin_object().field("id", i.id).field("title", i.title);
  w.field("severity", ops::severity_name(i.severity)).field("state", state(i));
  w.field("stage", i.stage).field("snapshot", i.snapshot).field("fingerprint", i.fingerprint());
  w.key("alerts").begin_array();
  for (const auto& a : i.alerts) w.value(a);
  w.end_array();
  optional_time(w, "fired", i.fired_ms);
  w.field("opened", format_utc_ms(i.opened_ms));
  optional_time(w, "acknowledged", i.acked_ms);
  optional_time(w, "mitigated", i.mitigated_ms);
  optional_time(w, "resolved", i.resolved_ms);
  w.field("response_due", format_utc_ms(t.due_ms(i.severity, i.opened_ms)));
  w.field("overdue", overdue(i, t, now));
  w.key("notes").begin_array();
  for (const auto& n : i.notes)
    w.begin_object().field("at", format_utc_ms(n.at_ms)).field("text", n.text).end_object();
  w.end_array().end_object();
}

int list(const ReportFlags& f) {
  const IncidentLog log = read_incident_log(f.log.log_path());
  const ResponseTimes times = f.times();
  const int64_t now = f.log.now_ms();
  std::vector<const Incident*> shown;
  for (const auto& i : log.incidents) {
    if (f.all || i.open()) shown.push_back(&i);
  }
  if (f.json) {
    json::JsonWriter w;
    w.begin_array();
    for (const auto* i : shown) incident_json(w, *i, times, now);
    w.end_array();
    std::printf("%s\n", w.str().c_str());
  } else if (shown.empty()) {
    std::printf("no %sincidents in %s\n", f.all ? "" : "open ", f.log.log_path().c_str());
  } else {
    Table t({"ID", "SEVERITY", "STATE", "OPENED", "AGE", "RESPONSE", "STAGE", "ALERTS", "TITLE"});
    for (const auto* i : shown) {
      t.add({i->id, std::string(ops::severity_name(i->severity)), state(*i),
             format_utc_ms(i->opened_ms), human(i->resolved_ms.value_or(now) - i->opened_ms),
             response(*i, times, now), cell(i->stage), cell(joined(i->alerts)), i->title});
    }
    t.print();
  }
  if (log.damaged_lines > 0)
    std::fprintf(stderr, "sluice: ignored %zu damaged line(s) of %s (a torn write?)\n",
                 log.damaged_lines, f.log.log_path().c_str());
  return 0;
}

std::string mean_text(const MeanDuration& m) {
  const auto mean = m.mean_ms();
  return mean ? fmt::format("{} (n={})", human(int64_t(*mean)), m.count) : "-";
}

void mean_json(json::JsonWriter& w, const char* key, const MeanDuration& m) {
  w.key(key);
  if (const auto mean = m.mean_ms()) {
    w.value(*mean / 1000.0);
  } else {
    w.null();
  }
}

void figures_json(json::JsonWriter& w, const SeverityFigures& f) {
  w.begin_object().field("incidents", f.incidents).field("open", f.open);
  w.field("overdue", f.overdue);
  mean_json(w, "mttd_s", f.mttd);
  mean_json(w, "mtta_s", f.mtta);
  mean_json(w, "mttr_s", f.mttr);
  w.field("mttr_from_opened", f.mttr_from_opened).end_object();
}

int stats(const ReportFlags& f) {
  const auto window = pipeline::parse_duration_ms(f.window);
  if (!window || *window <= 0)
    throw std::invalid_argument("--window '" + f.window + "' is not a duration, e.g. 7d or 24h");
  const IncidentLog log = read_incident_log(f.log.log_path());
  const IncidentStats s = incident_stats(log, f.log.now_ms(), *window, f.times());
  const double rate = s.all.incidents ? double(s.repeats) / s.all.incidents : 0;
  if (f.json) {
    json::JsonWriter w;
    w.begin_object().field("from", format_utc_ms(s.from_ms)).field("to", format_utc_ms(s.to_ms));
    w.key("by_severity").begin_object();
    for (size_t i = 0; i < kSeverities.size(); ++i) {
      w.key(ops::severity_name(kSeverities[i]));
      figures_json(w, s.by_severity[i]);
    }
    w.end_object().key("all");
    figures_json(w, s.all);
    w.field("repeats", s.repeats).field("repeat_rate", rate).key("repeated").begin_array();
    for (const auto& r : s.repeated) {
      w.begin_object().field("fingerprint", r.fingerprint).key("ids").begin_array();
      for (const auto& id : r.ids) w.value(id);
      w.end_array().end_object();
    }
    w.end_array().end_object();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  std::printf("incidents opened %s .. %s (--window %s)\n", format_utc_ms(s.from_ms).c_str(),
              format_utc_ms(s.to_ms).c_str(), f.window.c_str());
  Table t({"SEVERITY", "INCIDENTS", "OPEN", "OVERDUE", "MTTD", "MTTA", "MTTR"});
  auto row = [&](const std::string& name, const SeverityFigures& g) {
    t.add({name, std::to_string(g.incidents), std::to_string(g.open), std::to_string(g.overdue),
           mean_text(g.mttd), mean_text(g.mtta), mean_text(g.mttr)});
  };
  for (size_t i = 0; i < kSeverities.size(); ++i)
    row(std::string(ops::severity_name(kSeverities[i])), s.by_severity[i]);
  row("all", s.all);
  t.print();
  std::printf("MTTD = opened - fired; MTTA = acknowledged - opened; MTTR = resolved - fired%s\n",
              s.all.mttr_from_opened ? " (or - opened when no alert time was recorded)" : "");
  std::printf("repeat incidents: %d of %d (%.0f%%; the runbook's target is < 10%%)\n", s.repeats,
              s.all.incidents, rate * 100);
  for (const auto& r : s.repeated)
    std::printf("  %s: %s\n", r.fingerprint.c_str(), joined(r.ids).c_str());
  return 0;
}

void add_report_flags(CLI::App* cmd, ReportFlags& f) {
  f.log.add_to(cmd, "Judge by this time instead of now (ISO-8601 or epoch ms)");
  cmd->add_option("--response-time", f.response_times,
                  "SEVERITY=DURATION: override the runbook's response time, e.g. SEV-1=10m or "
                  "P4=next-business-day (repeatable)");
  cmd->add_flag("--json", f.json, "JSON for scripts");
}

}  // namespace

void add_incident_report_commands(CLI::App* incident, std::vector<CLI::App*>& registered,
                                  std::vector<Run>& runs) {
  auto l = std::make_shared<ReportFlags>();
  CLI::App* list_cmd = incident->add_subcommand(
      "list", "Open incidents (--all: every one), with those past their response time flagged");
  add_report_flags(list_cmd, *l);
  list_cmd->add_flag("--all", l->all, "Resolved incidents too");
  registered.push_back(list_cmd);
  runs.push_back([l] { return list(*l); });

  auto s = std::make_shared<ReportFlags>();
  CLI::App* stats_cmd = incident->add_subcommand(
      "stats", "MTTD, MTTA and MTTR per severity, and repeat incidents, over --window");
  add_report_flags(stats_cmd, *s);
  stats_cmd
      ->add_option("--window", s->window,
                   "Incidents opened this long before now (--at), e.g. 7d; also the repeat window")
      ->capture_default_str();
  registered.push_back(stats_cmd);
  runs.push_back([s] { return stats(*s); });
}

}  // namespace sluice::cli
