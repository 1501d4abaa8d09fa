// `sluice logs`: the log files of a `sluice up` (DATA/logs/*.log) read back
// for a person at 3 a.m. — one process or stage, the last N lines, from a time
// on, warnings and up, or a summary of what repeats (the seed runbook's
// logs-tail and logs-summary). See docs/operations-cli.md#logs.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/incident/incident_timeline.h"  // format_clock
#include "cli/logs/log_query.h"
#include "cli/support/commands.h"
#include "cli/support/data_dir_flag.h"
#include "cli/support/datetime.h"
#include "cli/support/table.h"
#include "common/json.h"
#include "pipeline/config_text.h"

namespace sluice::cli {
namespace {

struct LogsFlags {
  std::string data_dir;
  std::vector<std::string> stages;
  std::string since;
  std::string level = "info";
  size_t tail = 0;
  bool summary = false;
  bool json = false;
};

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "10m" (that long ago) or a date-time.
int64_t since_ms(const std::string& text) {
  if (auto ago = pipeline::parse_duration_ms(text)) return wall_ms() - *ago;
  try {
    return parse_datetime_ms(text);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument("--since '" + text +
                                "' is neither a duration (10m, 2h) nor a date-time "
                                "(2026-12-06T10:00:00Z)");
  }
}

std::vector<LogLine> read_logs(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("no logs at " + dir.string() +
                             ": is this the --data-dir of a `sluice up`?");
  std::vector<LogLine> lines;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".log") continue;
    LogFile file = read_log_file(entry.path().string());
    for (LogLine& l : file.lines) {
      if (l.source.empty()) l.source = entry.path().stem().string();
      lines.push_back(std::move(l));
    }
  }
  return lines;
}

void print_lines(const std::vector<LogLine>& lines, bool as_json) {
  for (const LogLine& l : lines) {
    if (!as_json) {
      std::printf("%s\n", format_line(l).c_str());
      continue;
    }
    json::JsonWriter w;
    w.begin_object().field("ts_ms", l.ts_ms).field("level", l.level).field("process", l.source);
    w.field("component", l.component).field("msg", l.msg).key("fields").begin_object();
    for (const auto& [k, v] : l.fields) w.field(k, v);
    std::printf("%s\n", w.end_object().end_object().str().c_str());
  }
}

void print_summary(const std::vector<LogSummaryRow>& rows, bool as_json) {
  if (as_json) {
    json::JsonWriter w;
    w.begin_array();
    for (const auto& r : rows) {
      w.begin_object().field("process", r.source).field("level", r.level).field("kind", r.kind);
      w.field("count", r.count).field("first_ms", r.first_ms).field("last_ms", r.last_ms);
      w.field("example", r.example).end_object();
    }
    std::printf("%s\n", w.end_array().str().c_str());
    return;
  }
  Table t({"COUNT", "PROCESS", "LEVEL", "FIRST", "LAST", "MESSAGE"});
  for (const auto& r : rows) {
    t.add({std::to_string(r.count), r.source, r.level, format_clock(r.first_ms, true),
           format_clock(r.last_ms, true), r.count == 1 ? r.example : r.kind});
  }
  t.print();
}

int run(const LogsFlags& f) {
  LogQuery q;
  q.stages = f.stages;
  q.min_level = f.level == "warn"    ? "WARN"
                : f.level == "error" ? "ERROR"
                : f.level == "debug" ? "DEBUG"
                                     : "INFO";
  q.tail = f.summary ? 0 : f.tail;
  if (!f.since.empty()) q.since_ms = since_ms(f.since);
  std::vector<LogLine> lines =
      select_lines(read_logs(std::filesystem::path(f.data_dir) / "logs"), q);
  if (lines.empty() && !f.stages.empty()) {
    std::fprintf(stderr, "sluice logs: no lines for %s (see `sluice ps` for the process names)\n",
                 f.stages.front().c_str());
  }
  f.summary ? print_summary(summarize(lines), f.json) : print_lines(lines, f.json);
  return 0;
}

}  // namespace

Run add_logs_command(CLI::App& app) {
  auto f = std::make_shared<LogsFlags>();
  CLI::App* cmd = app.add_subcommand(
      "logs", "Read the logs of a `sluice up`: by stage, from a time, by level, or summarized");
  add_data_dir_option(cmd, f->data_dir, "The --data-dir of `sluice up`");
  cmd->add_option("--stage", f->stages,
                  "A stage (every replica) or process (download-1, broker, exporter); repeatable");
  cmd->add_option("--since", f->since, "From this long ago (10m, 2h) or this date-time on");
  cmd->add_option("--level", f->level, "Lowest level shown: debug, info, warn or error")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  cmd->add_option("-n,--tail", f->tail, "Only the last N lines");
  cmd->add_flag(
      "--summary", f->summary,
      "One row per kind of message (numbers blanked), with its count and first/last time");
  cmd->add_flag("--json", f->json, "JSON lines (or, with --summary, one JSON array)");
  return [f] { return run(*f); };
}

}  // namespace sluice::cli
