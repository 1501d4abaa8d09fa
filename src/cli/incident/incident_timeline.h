// The evidence `sluice incident postmortem` takes from stage logs: a timeline
// of the events that matter in a review (stage starts and stops, restarts,
// partition assignments and revocations, pauses and resumes, circuit breakers,
// signals) and the failures, counted rather than listed — warnings and errors
// of one kind (process, level, message template) are one row with a count, the
// first and last time and one example, so a burst of 10,000 poison records is
// one timeline row, not 10,000; the same kind recurring after 10 quiet minutes
// is a new row.
//
// Invariant: every count and row comes from log lines inside [since, until]
// (earlier lines only tell what state a stage was in); nothing is estimated. The timeline is in
// time order (ties keep file order).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/incident/incident_log_lines.h"

namespace sluice::cli {

struct TimelineEntry {
  int64_t ts_ms = 0;
  std::string source;  // the log file it came from
  std::string event;   // one line of Markdown: "**Paused** stage 'copy' ..."
};

struct LogEvidence {
  std::vector<TimelineEntry> timeline;
  std::map<std::string, int64_t> dead_lettered;  // error category -> records sent to a DLQ
  // (input topic, category) -> records dead-lettered, for the replay commands.
  std::map<std::pair<std::string, std::string>, int64_t> dead_lettered_from;
  std::map<std::string, int64_t> failed_attempts;   // error category -> failed attempts
  std::map<std::string, int64_t> failures_by_host;  // download failures per source domain
  // "stage copy, validation: value is not valid: poison" -> count; leads for the root cause.
  std::map<std::string, int64_t> error_messages;
  int64_t peak_failures_per_minute = 0;
  int64_t peak_minute_ms = 0;                // start of that minute
  int restarts = 0;                          // a stage started again in the same log file
  int breaker_opens = 0;                     // pauses because a circuit breaker opened
  int pauses = 0;                            // every pause, whatever the reason
  std::map<std::string, int64_t> paused_ms;  // stage -> time paused (spans ending in the window)
  std::optional<int64_t> first_ms, last_ms;  // of the lines inside the window
  size_t lines_in_window = 0;

  int64_t total_dead_lettered() const;
  int64_t total_failed_attempts() const;
};

// `lines` from any number of files, in any order.
LogEvidence summarize_logs(std::vector<LogLine> lines, std::optional<int64_t> since_ms,
                           std::optional<int64_t> until_ms);

// "13:27:01.027" (or "2026-11-27 13:27:01.027" when `with_date`).
std::string format_clock(int64_t epoch_ms, bool with_date);

}  // namespace sluice::cli
