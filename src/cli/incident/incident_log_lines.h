// Reading stage logs back for `sluice incident postmortem`: every line a stage
// process wrote to its log file, as one value with its time, level, component,
// message and structured fields.
//
// A stage's stderr file holds three kinds of lines: sluice's JSON lines
// (SLUICE_LOG_FORMAT=json, and what `sluice up` writes: fields such as
// trace_id, stage, category, process; the level in either case), sluice's text
// lines ("2026-11-27T13:26:54.880Z INFO  stage: msg key=value", whose trailing
// key=value pairs are read back as fields) and librdkafka's own
// ("%3|1795786028.092|FAIL|rdkafka#producer-1| [thrd:...]: ..."), which can be glued to the end of
// a JSON line because both write to the same file. All three are read; a line that is none of them
// (a traceback, a blank line) is counted as skipped, never fatal — these files
// are read after something went wrong.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::cli {

struct LogLine {
  int64_t ts_ms = 0;
  std::string level;      // DEBUG, INFO, WARN, ERROR
  std::string component;  // "stage", "run", "download", "librdkafka", ...
  std::string msg;
  std::map<std::string, std::string> fields;  // JSON fields; text lines' trailing key=value
  std::string source;  // the line's "process" field, else the file's name without its folder
};

struct LogFile {
  std::vector<LogLine> lines;  // in file order
  size_t skipped = 0;          // lines that were not a log line
};

// Reads `path`; throws std::runtime_error naming it when it cannot be opened.
LogFile read_log_file(const std::string& path);

// The kind of a message: its text with every run of digits blanked to '#', so
// "timed out after 5000 ms" and "timed out after 30 ms" are one kind.
std::string message_kind(std::string_view msg);

// One line, or false when it is not a log line. Exposed for the unit tests.
bool parse_log_line(const std::string& text, LogLine& out);

}  // namespace sluice::cli
