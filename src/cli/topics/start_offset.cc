#include "cli/topics/start_offset.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "cli/support/datetime.h"

namespace sluice::cli {
namespace {

std::optional<int64_t> whole_number(const std::string& text) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

StartOffset parse_start_offset(const std::string& spec) {
  using Kind = StartOffset::Kind;
  if (spec == "beginning" || spec == "start") return {Kind::kBeginning, 0};
  if (spec == "end") return {Kind::kEnd, 0};
  if (!spec.empty() && spec[0] == '@') return {Kind::kTime, parse_datetime_ms(spec.substr(1))};
  if (auto n = whole_number(spec)) {
    if (*n >= 0) return {Kind::kOffset, *n};
    return {Kind::kLastN, -*n};
  }
  throw std::invalid_argument("--offset '" + spec +
                              "' must be beginning, end, an offset N, -N (the last N records) "
                              "or @TIME (e.g. @2026-11-22T10:00:00Z)");
}

int64_t resolve_start(const StartOffset& start, const kafka::Watermarks& log,
                      std::optional<int64_t> at_time) {
  using Kind = StartOffset::Kind;
  auto within = [&](int64_t offset) { return std::clamp(offset, log.low, log.high); };
  switch (start.kind) {
    case Kind::kBeginning:
      return log.low;
    case Kind::kEnd:
      return log.high;
    case Kind::kOffset:
      return within(start.value);
    case Kind::kLastN:
      return within(log.high - start.value);
    case Kind::kTime:
      return at_time && *at_time >= 0 ? within(*at_time) : log.high;
  }
  return log.low;
}

}  // namespace sluice::cli
