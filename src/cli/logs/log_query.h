// What `sluice logs` shows of the log files `sluice up` writes (DATA/logs/*.log):
// the lines of chosen processes, from a time on, at or above a level, merged in
// time order — or, with --summary, one row per kind of message (process, level,
// message with its numbers blanked) with how often and when it was seen, so a
// burst of 10,000 identical warnings reads as one line.
//
// Pure functions over parsed lines (incident_log_lines.h), so every filter and
// grouping rule is tested without files or processes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/incident/incident_log_lines.h"

namespace sluice::cli {

struct LogQuery {
  std::vector<std::string> stages;  // process names or stage names (download = download-0, -1, ...)
  std::optional<int64_t> since_ms;  // lines at or after
  std::string min_level = "DEBUG";  // DEBUG, INFO, WARN or ERROR
  size_t tail = 0;                  // the last N lines only (0: all)
};

// Rank of a level for comparisons; unknown levels rank as INFO.
int level_rank(const std::string& level);

// True when `source` (a process, e.g. "download-1") belongs to `stage` ("download" or
// "download-1").
bool source_matches(const std::string& source, const std::string& stage);

// The lines the query asks for, in time order (ties keep the order given).
std::vector<LogLine> select_lines(std::vector<LogLine> lines, const LogQuery& q);

struct LogSummaryRow {
  std::string source, level, kind;  // kind: the message with digits blanked to '#'
  int64_t count = 0;
  int64_t first_ms = 0, last_ms = 0;
  std::string example;  // the last message of the kind, as written
};

// One row per (source, level, kind), most frequent first.
std::vector<LogSummaryRow> summarize(const std::vector<LogLine>& lines);

// "2026-12-06T10:00:00.250Z WARN  download-0 stage: msg key=value"
std::string format_line(const LogLine& l);

}  // namespace sluice::cli
