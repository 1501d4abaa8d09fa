// The incident log (runbook seed 002: severity, timeline, MTTD/MTTR): every
// incident an operator opens with `sluice incident open`, as the events that
// happened to it, in DATA/incidents.jsonl — one JSON object per line, the
// format of docs/formats/incident-log.md.
//
// Invariants:
// - Append-only. An event is written as one line under an exclusive flock(2)
//   of the file and fsync'ed before the command reports success, so a
//   recorded event survives a crash and two operators never take one id.
// - The log is checked when written: an event must fit the incident as the
//   log holds it then (no update of an unknown or resolved incident, no second
//   resolution), so folding the file never meets a contradiction it must guess
//   about.
// - Crash behaviour: a crash mid-write leaves at most a torn last line. Reading
//   ignores any line that is not a whole event (counted in damaged_lines), and
//   the next append first ends a torn line with '\n', so the torn bytes stay a
//   line of their own and never corrupt the event written after them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ops/incident_assessment.h"

namespace sluice::cli {

struct IncidentEvent {
  enum class Kind { kOpened, kUpdated, kResolved };
  Kind kind = Kind::kOpened;
  std::string id;     // "INC-1"
  int64_t at_ms = 0;  // when it was recorded (`--at` overrides the clock)
  // Opened: all of these (severity required). Updated: a severity change,
  // alerts newly linked. Resolved: none.
  std::optional<ops::Severity> severity;
  std::string title, stage, snapshot;
  std::vector<std::string> alerts;
  std::optional<int64_t> fired_ms;  // when the first alert fired (detection)
  // Updated only.
  bool acknowledged = false, mitigated = false;
  std::string note;  // any kind
};

struct IncidentNote {
  int64_t at_ms = 0;
  std::string text;
};

// An incident as its events left it.
struct Incident {
  std::string id, title, stage, snapshot;
  ops::Severity severity = ops::Severity::kSev4;
  std::vector<std::string> alerts;  // sorted, each once
  std::optional<int64_t> fired_ms;
  int64_t opened_ms = 0;
  std::optional<int64_t> acked_ms, mitigated_ms, resolved_ms;
  std::vector<IncidentNote> notes;

  bool open() const { return !resolved_ms.has_value(); }
  // What makes two incidents "the same problem again": the sorted alert names
  // and the stage ("KafkaWorkerDead+KafkaConsumerLagHigh@download"); without
  // alerts, the lower-cased title stands in for them.
  std::string fingerprint() const;
};

struct IncidentLog {
  std::vector<Incident> incidents;  // in the order they were opened
  size_t damaged_lines = 0;         // lines that were not a whole event

  const Incident* find(const std::string& id) const;
  // Applies one event; throws std::invalid_argument saying why it does not fit.
  void apply(const IncidentEvent& e);
  std::string next_id() const;  // "INC-<number of incidents + 1>"
};

// DATA/incidents.jsonl.
std::string incident_log_path(const std::string& data_dir);

// One line (without '\n') and back; decode_incident_event returns nullopt for
// anything that is not a whole event of this format.
std::string encode_incident_event(const IncidentEvent& e);
std::optional<IncidentEvent> decode_incident_event(std::string_view line);

// The whole log; a missing file is an empty log. Throws std::runtime_error
// naming the file when it exists but cannot be read.
IncidentLog read_incident_log(const std::string& path);

// Locks the file, reads it, asks `make` for the event to add given the log as
// it is now (so `open` picks the next id under the lock), checks it with
// IncidentLog::apply, appends and fsyncs it, and returns it. Creates the file
// (and fsyncs its folder) on first use.
IncidentEvent append_incident_event(const std::string& path,
                                    const std::function<IncidentEvent(const IncidentLog&)>& make);

// "2026-12-06T04:25:16.123Z".
std::string format_utc_ms(int64_t epoch_ms);

}  // namespace sluice::cli
