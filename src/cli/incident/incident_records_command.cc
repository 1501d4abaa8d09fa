// `sluice incident open|update|resolve`: each adds one event to the incident
// log and prints the incident as it now stands. Exit codes: 0 recorded; 1 when
// the event does not fit the log (unknown or resolved incident, acknowledged
// twice, ...) — nothing is written then.
#include "cli/incident/incident_records_command.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/incident/incident_assess.h"
#include "cli/incident/incident_log.h"
#include "cli/incident/incident_snapshot.h"
#include "cli/incident/pipeline_targets.h"
#include "cli/support/datetime.h"
#include "common/clock.h"

namespace sluice::cli {
namespace {

struct RecordFlags {
  IncidentLogFlags log;
  std::string id, title, severity, stage, snapshot, fired, note;
  std::vector<std::string> alerts;
  bool ack = false, mitigated = false;
  bool take_snapshot = false;
};

// `open --take-snapshot`: `sluice incident snapshot` of the data dir's `sluice up`
// into DATA/snapshots/<time>; its path goes into the incident. A part that could
// not be captured is reported and the incident is opened all the same.
std::string snapshot_now(const IncidentLogFlags& log, int64_t at_ms) {
  std::string stamp = format_utc_ms(at_ms);
  std::erase_if(stamp, [](char c) { return c == '-' || c == ':'; });
  const std::string dir = log.data_dir + "/snapshots/" + stamp;
  TargetFlags targets;
  targets.data_dir = log.data_dir;
  const SnapshotReport report =
      take_snapshot({dir, targets.observe(2000), {log.data_dir + "/logs"}});
  for (const auto& p : report.problems)
    std::fprintf(stderr, "sluice: not captured: %s\n", p.c_str());
  std::printf("snapshot in %s\n", dir.c_str());
  return dir;
}

void print_recorded(const IncidentLog& log, const IncidentEvent& e) {
  IncidentLog after = log;
  after.apply(e);
  const Incident& i = *after.find(e.id);
  const char* what = e.kind == IncidentEvent::Kind::kOpened     ? "opened"
                     : e.kind == IncidentEvent::Kind::kResolved ? "resolved"
                                                                : "updated";
  std::printf("%s %s [%s] %s at %s\n", what, i.id.c_str(),
              std::string(ops::severity_name(i.severity)).c_str(), i.title.c_str(),
              format_utc_ms(e.at_ms).c_str());
}

int record(const RecordFlags& f, IncidentEvent::Kind kind) {
  IncidentEvent e;
  e.kind = kind;
  e.at_ms = f.log.now_ms();
  if (!f.severity.empty()) e.severity = parse_severity(f.severity);
  e.title = f.title;
  e.stage = f.stage;
  e.snapshot = f.take_snapshot ? snapshot_now(f.log, e.at_ms) : f.snapshot;
  e.alerts = f.alerts;
  if (!f.fired.empty()) e.fired_ms = parse_datetime_ms(f.fired);
  e.acknowledged = f.ack;
  e.mitigated = f.mitigated;
  e.note = f.note;
  if (kind == IncidentEvent::Kind::kOpened && e.fired_ms && *e.fired_ms > e.at_ms)
    throw std::invalid_argument("--fired " + f.fired + " is after the opening time " +
                                format_utc_ms(e.at_ms));
  if (kind == IncidentEvent::Kind::kUpdated && !e.acknowledged && !e.mitigated && !e.severity &&
      e.alerts.empty() && e.snapshot.empty() && e.note.empty())
    throw std::invalid_argument(
        "nothing to update: give --ack, --mitigated, --severity, --link-alert, --snapshot or "
        "--note");
  IncidentLog before;
  const IncidentEvent written =
      append_incident_event(f.log.log_path(), [&](const IncidentLog& log) {
        before = log;
        IncidentEvent out = e;
        out.id = kind == IncidentEvent::Kind::kOpened ? log.next_id() : f.id;
        return out;
      });
  print_recorded(before, written);
  return 0;
}

CLI::App* add_common(CLI::App* cmd, RecordFlags& f) {
  f.log.add_to(cmd, "Record this time instead of now (ISO-8601 or epoch ms), for late entries");
  cmd->add_option("--note", f.note, "A line for the incident's timeline");
  return cmd;
}

}  // namespace

void add_incident_record_commands(CLI::App* incident, std::vector<CLI::App*>& registered,
                                  std::vector<Run>& runs) {
  auto o = std::make_shared<RecordFlags>();
  CLI::App* open =
      add_common(incident->add_subcommand(
                     "open", "Open an incident in the incident log (DATA/incidents.jsonl)"),
                 *o);
  open->add_option("title", o->title, "What is wrong, in a few words")->required();
  open->add_option("--severity", o->severity,
                   "SEV-1..SEV-4 (or P1..P4), as `sluice incident assess` says")
      ->required();
  open->add_option("--alert", o->alerts, "An alert that fired for it (repeatable)");
  open->add_option("--stage", o->stage, "The stage it is about");
  open->add_option("--fired", o->fired,
                   "When the first alert fired, i.e. detection (ISO-8601 or epoch ms)");
  CLI::Option* snapshot = open->add_option("--snapshot", o->snapshot,
                                           "The folder `sluice incident snapshot` wrote for it");
  open->add_flag("--take-snapshot", o->take_snapshot,
                 "Take one now of the data dir's `sluice up` (into DATA/snapshots/TIME)")
      ->excludes(snapshot);
  registered.push_back(open);
  runs.push_back([o] { return record(*o, IncidentEvent::Kind::kOpened); });

  auto u = std::make_shared<RecordFlags>();
  CLI::App* update =
      add_common(incident->add_subcommand(
                     "update", "Acknowledge, mitigate, re-classify or annotate an incident"),
                 *u);
  update->add_option("id", u->id, "The incident (INC-N)")->required();
  update->add_flag("--ack", u->ack, "Someone is responding (stops the overdue clock)");
  update->add_flag("--mitigated", u->mitigated, "Impact is contained (a workaround is in place)");
  update->add_option("--severity", u->severity, "Re-classify: SEV-1..SEV-4 (or P1..P4)");
  update->add_option("--link-alert", u->alerts, "Another alert that belongs to it (repeatable)");
  update->add_option("--snapshot", u->snapshot, "A (newer) `sluice incident snapshot` folder");
  registered.push_back(update);
  runs.push_back([u] { return record(*u, IncidentEvent::Kind::kUpdated); });

  auto r = std::make_shared<RecordFlags>();
  CLI::App* resolve = add_common(
      incident->add_subcommand("resolve", "Resolve an incident (service restored and verified)"),
      *r);
  resolve->add_option("id", r->id, "The incident (INC-N)")->required();
  registered.push_back(resolve);
  runs.push_back([r] { return record(*r, IncidentEvent::Kind::kResolved); });
}

void IncidentLogFlags::add_to(CLI::App* cmd, const char* at_help) {
  const char* env = std::getenv("SLUICE_DATA_DIR");
  data_dir = env ? env : "sluice-data";
  cmd->add_option("--data-dir", data_dir,
                  "The data dir holding incidents.jsonl (env SLUICE_DATA_DIR)")
      ->capture_default_str();
  cmd->add_option("--at", at, at_help);
}

std::string IncidentLogFlags::log_path() const {
  return incident_log_path(data_dir);
}

int64_t IncidentLogFlags::now_ms() const {
  return at.empty() ? sluice::now_ms() : parse_datetime_ms(at);
}

}  // namespace sluice::cli
