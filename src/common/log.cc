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

void write(Level l, std::string_view component, std::string_view message, const Fields& fields) {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t secs = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string line;
  if (g_format == Format::kJson) {
    line = fmt::format("{{\"ts\":\"{}.{:03d}Z\",\"level\":\"{}\",\"component\":", ts, int(ms),
                       name(l));
    append_quoted(line, component);
    line += ",\"msg\":";
    append_quoted(line, message);
    for (const auto& [k, v] : fields) {
      line += ',';
      append_quoted(line, k);
      line += ':';
      append_quoted(line, v);
    }
    line += "}\n";
  } else {
    line = fmt::format("{}.{:03d}Z {:<5} {}: {}", ts, int(ms), name(l), component, message);
    for (const auto& [k, v] : fields) line += fmt::format(" {}={}", k, v);
    line += '\n';
  }
  // One write per line keeps lines from interleaving across threads.
  std::fputs(line.c_str(), stderr);
}

}  // namespace sluice::log
