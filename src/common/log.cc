#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdint>
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

// The code point of the `n`-byte UTF-8 sequence at the start of `s` (unchecked).
uint32_t decode_utf8(std::string_view s, size_t n) {
  uint32_t cp = static_cast<unsigned char>(s[0]) & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
  return cp;
}

// Length of the valid UTF-8 sequence at the start of `s` (2..4), or 0 if none.
size_t utf8_sequence_length(std::string_view s) {
  auto lead = static_cast<unsigned char>(s[0]);
  size_t n = lead > 0xF4 ? 0 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (n == 0 || s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0;
  uint32_t cp = decode_utf8(s, n);
  bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  bool invalid = cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF);
  return overlong || invalid ? 0 : n;
}

}  // namespace

std::string escape_for_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    auto c = static_cast<unsigned char>(text[0]);
    size_t taken = 1;
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c < 0x80) {
      out += char(c);
    } else if (size_t n = utf8_sequence_length(text); n == 0) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      uint32_t cp = decode_utf8(text, n);
      bool breaks_lines = (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
      if (breaks_lines) {
        out += fmt::format("\\u{:04x}", cp);
      } else {
        out.append(text.data(), n);
      }
      taken = n;
    }
    text.remove_prefix(taken);
  }
  return out;
}

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
    line = json_line(l, component, message, fields);  // JSON quoting escapes already
  } else {
    line =
        fmt::format("{} {:<5} {}: {}", timestamp(), name(l), component, escape_for_text(message));
    for (const auto& [k, v] : fields)
      line += fmt::format(" {}={}", escape_for_text(k), escape_for_text(v));
    line += '\n';
  }
  // One write per line keeps lines from interleaving across threads.
  std::fputs(line.c_str(), stderr);
}

}  // namespace sluice::log
