// Leveled logging to stderr: one line per event, timestamped, so an operator
// can grep a component's output — as text, or as JSON lines (--log-format json
// or SLUICE_LOG_FORMAT=json) carrying structured fields such as trace_id,
// stage, partition and offset. Thread-safe.
//
// The JSON contract (readers such as `sluice incident postmortem` rely on it):
// one object per line, no line breaks inside it, keys in this order:
//   {"ts":"2026-12-06T04:27:06.123Z","level":"INFO","component":"stage",
//    "msg":"...", <the event's fields, string values>, "process":..,"stage":..}
// `ts` is UTC with milliseconds, `level` one of DEBUG INFO WARN ERROR, every
// value a string. A process started by `sluice up` also gets "process" (e.g.
// "download#2", from SLUICE_LOG_PROCESS) and "stage" (SLUICE_LOG_STAGE) on
// each line, unless the event carries a field of that name itself.
//
// Text lines are safe to print client-supplied strings into: write() escapes
// every control character, C1 control, Unicode line separator and invalid UTF-8
// byte of the message and fields (see escape_for_text), so a topic name holding
// "\n" can never forge a second line. Call sites need no care of their own.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

enum class Format { kText, kJson };

using Fields = std::vector<std::pair<std::string, std::string>>;

void set_level(Level level);
Level level();
void set_format(Format format);
void write(Level level, std::string_view component, std::string_view message,
           const Fields& fields = {});
// The JSON line write() prints in JSON format, with its '\n', stamped now.
// `sluice up` uses it to wrap a child's stray non-JSON output in the same shape.
std::string json_line(Level level, std::string_view component, std::string_view message,
                      const Fields& fields = {});
// `text` with \n \r \t as such, other C0 controls, DEL and invalid UTF-8 bytes as
// \xHH, and C1 controls and U+2028/U+2029 as \uHHHH; printable UTF-8 unchanged.
std::string escape_for_text(std::string_view text);

// An event with structured fields (text: `message key=value ...`; JSON: one object).
inline void event(Level l, std::string_view component, std::string_view message,
                  const Fields& fields) {
  if (level() <= l) write(l, component, message, fields);
}

template <typename... Args>
void info(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::kInfo)
    write(Level::kInfo, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::kWarn)
    write(Level::kWarn, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void error(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kError, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (level() <= Level::kDebug)
    write(Level::kDebug, component, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace sluice::log
