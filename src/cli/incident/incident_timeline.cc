#include "cli/incident/incident_timeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <tuple>

namespace sluice::cli {
namespace {

constexpr int64_t kMinuteMs = 60'000;

// Table cells are one line and '|' ends a cell.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string field(const LogLine& l, const std::string& key) {
  auto it = l.fields.find(key);
  return it == l.fields.end() ? "" : it->second;
}

bool contains_breaker(std::string_view msg) {
  std::string lower;
  for (char c : msg) lower += char(std::tolower(static_cast<unsigned char>(c)));
  return lower.find("breaker") != std::string::npos;
}

// The stage runtime's lifecycle messages all start "stage 'NAME' ...".
struct StageMessage {
  std::string stage;
  std::string rest;  // after "stage 'NAME' "
};
std::optional<StageMessage> stage_message(const std::string& msg) {
  if (!msg.starts_with("stage '")) return std::nullopt;
  const size_t close = msg.find('\'', 7);
  if (close == std::string::npos || close + 1 >= msg.size() || msg[close + 1] != ' ')
    return std::nullopt;
  return StageMessage{msg.substr(7, close - 7), msg.substr(close + 2)};
}

std::string between_parens(const std::string& s) {
  const size_t open = s.find('(');
  const size_t close = s.rfind(')');
  return open == std::string::npos || close == std::string::npos || close < open
             ? ""
             : s.substr(open + 1, close - open - 1);
}

std::string duration_text(int64_t ms) {
  if (ms < 1000) return fmt::format("{} ms", ms);
  if (ms < 2 * kMinuteMs) return fmt::format("{:.1f} s", double(ms) / 1000.0);
  return fmt::format("{} min {} s", ms / kMinuteMs, (ms % kMinuteMs) / 1000);
}

// Warnings and errors of one kind (process, level, message template) become one
// row per episode: an occurrence more than kEpisodeGapMs after the previous one
// starts a new row, so a fault that comes back later is seen to come back.
constexpr int64_t kEpisodeGapMs = 10 * kMinuteMs;

struct Group {
  int64_t first_ms = 0, last_ms = 0;
  int64_t count = 0;
  std::string source, level, what, example;
  size_t order = 0;  // first appearance, to keep ties stable
};
using GroupKey = std::tuple<std::string, std::string, std::string>;

class Summarizer {
 public:
  explicit Summarizer(LogEvidence& out) : out_(out) {}

  // Lines outside the window only update what the stages were doing (running,
  // paused), so a restart or resume inside the window is still recognised.
  void add(const LogLine& l, size_t order, bool in_window) {
    current_order_ = order;
    emit_ = in_window;
    if (!in_window) {
      lifecycle(l);
      return;
    }
    out_.lines_in_window += 1;
    if (!out_.first_ms || l.ts_ms < *out_.first_ms) out_.first_ms = l.ts_ms;
    if (!out_.last_ms || l.ts_ms > *out_.last_ms) out_.last_ms = l.ts_ms;
    if (l.msg.starts_with("record failed")) count_failure(l);
    if (l.component == "download" && l.msg == "download failed") {
      const std::string host = field(l, "host");
      out_.failures_by_host[host.empty() ? "(no host)" : host] += 1;
    }
    if (lifecycle(l)) return;
    if (l.level == "WARN" || l.level == "ERROR") {
      group(l, order);
    } else if (contains_breaker(l.msg)) {
      event(l, "**Breaker**", l.msg);
    }
  }

  void finish() {
    for (auto& g : groups_) {
      std::string text =
          g.count == 1
              ? fmt::format("**{}** {}", g.level == "ERROR" ? "Error" : "Warning", g.example)
              : fmt::format("**{} × {}** {} (from {} to {}; e.g. {})", g.count,
                            g.level == "ERROR" ? "errors" : "warnings", g.what,
                            format_clock(g.first_ms, false), format_clock(g.last_ms, false),
                            g.example);
      out_.timeline.push_back({g.first_ms, g.source, cell(text)});
      orders_.push_back(g.order);
    }
    // Time order; ties keep the order the lines were read in.
    std::vector<size_t> index(out_.timeline.size());
    for (size_t i = 0; i < index.size(); ++i) index[i] = i;
    std::stable_sort(index.begin(), index.end(), [&](size_t a, size_t b) {
      return std::tie(out_.timeline[a].ts_ms, orders_[a]) <
             std::tie(out_.timeline[b].ts_ms, orders_[b]);
    });
    std::vector<TimelineEntry> sorted;
    for (size_t i : index) sorted.push_back(std::move(out_.timeline[i]));
    out_.timeline = std::move(sorted);
    for (const auto& [minute, n] : failures_per_minute_) {
      if (n > out_.peak_failures_per_minute) {
        out_.peak_failures_per_minute = n;
        out_.peak_minute_ms = minute;
      }
    }
  }

 private:
  void event(const LogLine& l, std::string_view tag, const std::string& text) {
    if (!emit_) return;
    out_.timeline.push_back({l.ts_ms, l.source, cell(fmt::format("{} {}", tag, text))});
    orders_.push_back(current_order_);
  }

  void count_failure(const LogLine& l) {
    const std::string category = field(l, "category").empty() ? "unknown" : field(l, "category");
    out_.failed_attempts[category] += 1;
    if (l.msg.ends_with("dead-letter queue")) {
      out_.dead_lettered[category] += 1;
      out_.dead_lettered_from[{field(l, "topic"), category}] += 1;
    }
    failures_per_minute_[l.ts_ms / kMinuteMs * kMinuteMs] += 1;
    const std::string stage = field(l, "stage");
    const std::string error = field(l, "error");
    out_.error_messages[fmt::format("{}{}: {}", stage.empty() ? "" : "stage " + stage + ", ",
                                    category, error.empty() ? l.msg : error)] += 1;
  }

  // Start, stop, assignment, pause, resume, breaker, signal: one row each.
  bool lifecycle(const LogLine& l) {
    if (l.component == "run" && l.msg.starts_with("received SIG")) {
      event(l, "**Signal**", l.msg);
      return true;
    }
    const auto m = stage_message(l.msg);
    if (!m) return false;
    const std::string key = l.source + "\n" + m->stage;
    if (m->rest.starts_with("consuming ")) {
      auto& state = running_[key];
      if (state == kNeverSeen) {
        event(l, "**Started**", l.msg);
      } else {
        if (emit_) out_.restarts += 1;
        event(l, "**Restarted**",
              l.msg + (state == kRunning ? " (no clean stop was logged before: crash or kill -9?)"
                                         : " (after a clean stop)"));
      }
      state = kRunning;
      paused_since_.erase(key);
    } else if (m->rest.starts_with("stopped")) {
      running_[key] = kStopped;
      event(l, "**Stopped**", l.msg);
    } else if (m->rest.starts_with("caught up")) {
      event(l, "**Caught up**", l.msg);
    } else if (m->rest.starts_with("assigned ")) {
      event(l, "**Assigned**", l.msg);
    } else if (m->rest.starts_with("revoked ")) {
      event(l, "**Revoked**", l.msg);
    } else if (m->rest.starts_with("paused consumption")) {
      const std::string reason = between_parens(m->rest);
      if (emit_) out_.pauses += 1;
      paused_since_[key] = {l.ts_ms, reason};
      if (reason.find("breaker") != std::string::npos) {
        if (emit_) out_.breaker_opens += 1;
        event(l, "**Circuit breaker open**", l.msg);
      } else {
        event(l, "**Paused**", l.msg);
      }
    } else if (m->rest.starts_with("resumed consumption")) {
      std::string text = l.msg;
      auto it = paused_since_.find(key);
      if (it != paused_since_.end()) {
        const int64_t span = std::max<int64_t>(0, l.ts_ms - it->second.first);
        if (emit_) out_.paused_ms[m->stage] += span;
        text += fmt::format(" after {} paused ({})", duration_text(span), it->second.second);
        const bool breaker = it->second.second.find("breaker") != std::string::npos;
        paused_since_.erase(it);
        if (breaker) {
          event(l, "**Circuit breaker no longer open**", text);
          return true;
        }
      }
      event(l, "**Resumed**", text);
    } else {
      return false;
    }
    return true;
  }

  void group(const LogLine& l, size_t order) {
    std::string what;
    if (l.msg.starts_with("record failed")) {
      what = fmt::format("{}: {} ({}{})", l.component, l.msg, field(l, "category"),
                         field(l, "stage").empty() ? "" : ", stage " + field(l, "stage"));
    } else if (l.msg == "download failed") {
      what = fmt::format("download failed ({}, host {})", field(l, "category"), field(l, "host"));
    } else {
      what = l.component + ": " + message_kind(l.msg);
    }
    const GroupKey key{l.source, l.level, what};
    auto [it, fresh] = open_groups_.try_emplace(key, groups_.size());
    if (!fresh && l.ts_ms - groups_[it->second].last_ms > kEpisodeGapMs) {
      it->second = groups_.size();
      fresh = true;
    }
    if (fresh) groups_.emplace_back();
    Group& g = groups_[it->second];
    if (fresh) {
      g.first_ms = l.ts_ms;
      g.source = l.source;
      g.level = l.level;
      g.what = what;
      g.order = order;
      const std::string error = field(l, "error");
      const std::string trace = field(l, "trace_id");
      g.example =
          fmt::format("{}: {}{}{}", l.component, l.msg, error.empty() ? "" : " — \"" + error + "\"",
                      trace.empty() ? "" : " (trace_id " + trace + ")");
    }
    g.count += 1;
    g.last_ms = std::max(g.last_ms, l.ts_ms);
  }

  enum RunState { kNeverSeen, kRunning, kStopped };
  LogEvidence& out_;
  std::map<std::string, RunState> running_;
  std::map<std::string, std::pair<int64_t, std::string>> paused_since_;  // since, reason
  std::vector<Group> groups_;
  std::map<GroupKey, size_t> open_groups_;  // the latest episode of each kind, in groups_
  std::map<int64_t, int64_t> failures_per_minute_;
  std::vector<size_t> orders_;  // parallel to out_.timeline
  size_t current_order_ = 0;
  bool emit_ = true;  // the line is inside the window: it counts and may become a row
};

}  // namespace

int64_t LogEvidence::total_dead_lettered() const {
  int64_t n = 0;
  for (const auto& [category, count] : dead_lettered) n += count;
  return n;
}

int64_t LogEvidence::total_failed_attempts() const {
  int64_t n = 0;
  for (const auto& [category, count] : failed_attempts) n += count;
  return n;
}

LogEvidence summarize_logs(std::vector<LogLine> lines, std::optional<int64_t> since_ms,
                           std::optional<int64_t> until_ms) {
  // Several files interleave by time; within one file, order is the file's.
  std::stable_sort(lines.begin(), lines.end(),
                   [](const LogLine& a, const LogLine& b) { return a.ts_ms < b.ts_ms; });
  LogEvidence out;
  Summarizer s(out);
  for (size_t i = 0; i < lines.size(); ++i) {
    const LogLine& l = lines[i];
    if (until_ms && l.ts_ms > *until_ms) break;  // sorted: nothing later matters
    s.add(l, i, !since_ms || l.ts_ms >= *since_ms);
  }
  s.finish();
  return out;
}

std::string format_clock(int64_t epoch_ms, bool with_date) {
  const std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, with_date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}", buf, int(epoch_ms % 1000));
}

}  // namespace sluice::cli
