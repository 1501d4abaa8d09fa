#include "cli/logs/log_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "cli/incident/incident_timeline.h"  // format_clock

namespace sluice::cli {

int level_rank(const std::string& level) {
  if (level == "DEBUG") return 0;
  if (level == "WARN") return 2;
  if (level == "ERROR") return 3;
  return 1;
}

bool source_matches(const std::string& source, const std::string& stage) {
  if (source == stage) return true;
  // "download" names every replica: download#1 in a line's process field,
  // download-1 in a file name.
  if (source.size() <= stage.size() + 1 || !source.starts_with(stage) ||
      (source[stage.size()] != '-' && source[stage.size()] != '#'))
    return false;
  return std::all_of(source.begin() + long(stage.size()) + 1, source.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

std::vector<LogLine> select_lines(std::vector<LogLine> lines, const LogQuery& q) {
  const int min_rank = level_rank(q.min_level);
  std::erase_if(lines, [&](const LogLine& l) {
    if (level_rank(l.level) < min_rank) return true;
    if (q.since_ms && l.ts_ms < *q.since_ms) return true;
    if (q.stages.empty()) return false;
    return std::none_of(q.stages.begin(), q.stages.end(),
                        [&](const std::string& s) { return source_matches(l.source, s); });
  });
  std::stable_sort(lines.begin(), lines.end(),
                   [](const LogLine& a, const LogLine& b) { return a.ts_ms < b.ts_ms; });
  if (q.tail > 0 && lines.size() > q.tail) lines.erase(lines.begin(), lines.end() - long(q.tail));
  return lines;
}

std::vector<LogSummaryRow> summarize(const std::vector<LogLine>& lines) {
  std::map<std::tuple<std::string, std::string, std::string>, LogSummaryRow> rows;
  for (const LogLine& l : lines) {
    std::string kind = message_kind(l.msg);
    LogSummaryRow& r = rows[{l.source, l.level, kind}];
    if (r.count == 0) {
      r = {l.source, l.level, kind, 0, l.ts_ms, l.ts_ms, ""};
    }
    r.count += 1;
    r.first_ms = std::min(r.first_ms, l.ts_ms);
    r.last_ms = std::max(r.last_ms, l.ts_ms);
    r.example = l.msg;
  }
  std::vector<LogSummaryRow> out;
  for (auto& [key, row] : rows) out.push_back(std::move(row));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(b.count, a.first_ms) < std::tie(a.count, b.first_ms);
  });
  return out;
}

std::string format_line(const LogLine& l) {
  std::string out = fmt::format("{} {:<5} {} {}: {}", format_clock(l.ts_ms, true), l.level,
                                l.source, l.component, l.msg);
  for (const auto& [k, v] : l.fields) {
    if (k == "process" || k == "component" || k == "msg" || k == "level" || k == "ts") continue;
    out += " " + k + "=" + v;
  }
  return out;
}

}  // namespace sluice::cli
