#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "common/json.h"

namespace sluice::log {
namespace {
std::atomic<Level> g_level{Level::kInfo};
std::atomic<Format> g_format{[] {
  const char* f = std::getenv("SLUICE_LOG_FORMAT");
  return f && std::string_view(f) == "json" ? Format::kJson : Format::kText;
}()};

using json::append_quoted;
const char* name(Level l) {
  switch (l) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarn:
      return "WARN";
    case Level::kError:
      return "ERROR";
  }
  return "?";
}
}  // namespace

void set_level(Level l) {
  g_level = l;
}
Level level() {
  return g_level;
}
void set_format(Format f) {
  g_format = f;
}

namespace {

// "2026-12-06T04:27:06.123Z": UTC, milliseconds.
std::string timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}Z", ts, int(ms));
}

// Fields every JSON line of this process carries (set by `sluice up` for its children).
const Fields& process_fields() {
  static const Fields fields = [] {
    Fields out;
    for (const auto& [key, var] :
         {std::pair{"process", "SLUICE_LOG_PROCESS"}, std::pair{"stage", "SLUICE_LOG_STAGE"}}) {
      const char* v = std::getenv(var);
      if (v && *v) out.emplace_back(key, v);
    }
    return out;
  }();
  return fields;
}

void append_field(std::string& line, std::string_view key, std::string_view value) {
  line += ',';
  append_quoted(line, key);
  line += ':';
  append_quoted(line, value);
}

}  // namespace

std::string json_line(Level l, std::string_view component, std::string_view message,
                      const Fields& fields) {
  std::string line =
      fmt::format("{{\"ts\":\"{}\",\"level\":\"{}\",\"component\":", timestamp(), name(l));
  append_quoted(line, component);
  line += ",\"msg\":";
  append_quoted(line, message);
  for (const auto& [k, v] : fields) append_field(line, k, v);
  for (const auto& [k, v] : process_fields()) {
    bool own = false;
    for (const auto& f : fields) own = own || f.first == k;
    if (!own) append_field(line, k, v);
  }
  line += "}\n";
  return line;
}

void write(Level l, std::string_view component, std::string_view message, const Fields& fields) {
  std::string line;
  if (g_format == Format::kJson) {
    line = json_line(l, component, message, fields);
  } else {
    line = fmt::format("{} {:<5} {}: {}", timestamp(), name(l), component, message);
    for (const auto& [k, v] : fields) line += fmt::format(" {}={}", k, v);
    line += '\n';
  }
  // One write per line keeps lines from interleaving across threads.
  std::fputs(line.c_str(), stderr);
}

}  // namespace sluice::log
