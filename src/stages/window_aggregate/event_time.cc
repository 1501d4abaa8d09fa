#include "stages/window_aggregate/event_time.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

namespace sluice::stages {
namespace {

// Reads exactly `width` digits at `at`, advancing it.
std::optional<int> digits(std::string_view text, size_t& at, size_t width) {
  if (text.size() - at < width) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  at += width;
  return value;
}

bool expect(std::string_view text, size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

// The UTC offset at `at` in minutes east of UTC, consuming the rest of the text.
std::optional<int> offset_minutes(std::string_view text, size_t at) {
  if (at >= text.size()) return std::nullopt;  // no offset: not an instant
  const char sign = text[at++];
  if ((sign == 'Z' || sign == 'z') && at == text.size()) return 0;
  if (sign != '+' && sign != '-') return std::nullopt;
  const auto hours = digits(text, at, 2);
  if (!hours || *hours > 23) return std::nullopt;
  int minutes = 0;
  if (at < text.size()) {
    expect(text, at, ':');  // ±hh:mm and ±hhmm are both ISO-8601
    const auto m = digits(text, at, 2);
    if (!m || *m > 59) return std::nullopt;
    minutes = *m;
  }
  if (at != text.size()) return std::nullopt;
  const int total = *hours * 60 + minutes;
  return sign == '-' ? -total : total;
}

}  // namespace

std::optional<int64_t> parse_iso8601_ms(std::string_view text) {
  size_t at = 0;
  const auto year = digits(text, at, 4);
  if (!year || !expect(text, at, '-')) return std::nullopt;
  const auto month = digits(text, at, 2);
  if (!month || !expect(text, at, '-')) return std::nullopt;
  const auto day = digits(text, at, 2);
  if (!day || at >= text.size()) return std::nullopt;
  if (text[at] != 'T' && text[at] != 't' && text[at] != ' ') return std::nullopt;
  ++at;
  const auto hour = digits(text, at, 2);
  if (!hour || !expect(text, at, ':')) return std::nullopt;
  const auto minute = digits(text, at, 2);
  if (!minute || !expect(text, at, ':')) return std::nullopt;
  const auto second = digits(text, at, 2);
  if (!second || *hour > 23 || *minute > 59 || *second > 59) return std::nullopt;
  int millis = 0;
  if (at < text.size() && (text[at] == '.' || text[at] == ',')) {
    ++at;
    size_t fraction_digits = 0;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++fraction_digits) {
      if (fraction_digits < 3) millis = millis * 10 + (text[at] - '0');
    }
    if (fraction_digits == 0) return std::nullopt;
    for (size_t i = fraction_digits; i < 3; ++i) millis *= 10;
  }
  const auto offset = offset_minutes(text, at);
  if (!offset) return std::nullopt;

  using namespace std::chrono;
  const year_month_day date{std::chrono::year(*year), std::chrono::month(unsigned(*month)),
                            std::chrono::day(unsigned(*day))};
  if (!date.ok()) return std::nullopt;  // 2026-02-30
  const int64_t days = sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - *offset * 60;
  return seconds * 1000 + millis;
}

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
