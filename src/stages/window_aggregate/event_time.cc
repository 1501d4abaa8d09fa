#include "stages/window_aggregate/event_time.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

namespace sluice::stages {
std::optional<int64_t> parse_epoch_ms_text(std::string_view text) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string format_iso8601_utc(int64_t epoch_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> instant{milliseconds(epoch_ms)};
  const sys_days day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss time{instant - day};
  const int64_t millis = time.subseconds().count();
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int(date.year()),
                                unsigned(date.month()), unsigned(date.day()), time.hours().count(),
                                time.minutes().count(), time.seconds().count());
  if (millis != 0) out += fmt::format(".{:03}", millis);
  out += 'Z';
  return out;
}

}  // namespace sluice::stages
