#include "common/iso8601.h"

#include <algorithm>
#include <cstdio>

namespace sluice {
namespace {

// Reads exactly `n` digits at text[at...]; false if any is not a digit.
bool digits(std::string_view text, size_t at, size_t n, int64_t& out) {
  if (at + n > text.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

bool leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

// Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

// And its inverse, civil_from_days.
CivilDate civil_from_days(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = unsigned(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {int64_t(yoe) + era * 400 + (month <= 2), month, day};
}

std::optional<int64_t> parse_iso8601_ms(std::string_view t) {
  int64_t year, month, day, hour, minute, second;
  if (!digits(t, 0, 4, year) || t.size() < 19 || t[4] != '-' || !digits(t, 5, 2, month) ||
      t[7] != '-' || !digits(t, 8, 2, day) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      !digits(t, 11, 2, hour) || t[13] != ':' || !digits(t, 14, 2, minute) || t[16] != ':' ||
      !digits(t, 17, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, unsigned(month)) ||
      hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  size_t at = 19;
  int64_t millis = 0;
  if (at < t.size() && (t[at] == '.' || t[at] == ',')) {
    size_t n = 0;
    for (++at; at < t.size() && t[at] >= '0' && t[at] <= '9'; ++at, ++n) {
      if (n < 3) millis = millis * 10 + (t[at] - '0');
    }
    if (n == 0 || n > 9) return std::nullopt;
    for (; n < 3; ++n) millis *= 10;
  }
  int64_t offset_minutes = 0;
  if (at < t.size()) {
    if (t[at] == 'Z' || t[at] == 'z') {
      ++at;
    } else if (t[at] == '+' || t[at] == '-') {
      const int64_t sign = t[at] == '+' ? 1 : -1;
      int64_t oh, om;
      if (!digits(t, at + 1, 2, oh)) return std::nullopt;
      size_t mm = at + 3;
      if (mm == t.size()) {  // ±hh
        om = 0;
      } else {
        if (t[mm] == ':') ++mm;
        if (!digits(t, mm, 2, om)) return std::nullopt;
        mm += 2;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
      at = mm;
    } else {
      return std::nullopt;
    }
  }
  if (at != t.size()) return std::nullopt;
  const int64_t days = days_from_civil(year, unsigned(month), unsigned(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

std::string format_iso8601_utc(int64_t epoch_ms) {
  const int64_t days = floor_div(epoch_ms, 86'400'000);
  const int64_t in_day = epoch_ms - days * 86'400'000;
  const CivilDate date = civil_from_days(days);
  char buf[40];
  char* out = buf;
  auto put = [&out](int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[i] = char('0' + v % 10);
      v /= 10;
    }
    out += width;
  };
  if (date.year < 0 || date.year > 9999) {  // outside four digits: rare, and signed
    const std::string year = std::to_string(date.year);
    std::copy(year.begin(), year.end(), out);
    out += year.size();
  } else {
    put(date.year, 4);
  }
  *out++ = '-';
  put(date.month, 2);
  *out++ = '-';
  put(date.day, 2);
  *out++ = 'T';
  put(in_day / 3'600'000, 2);
  *out++ = ':';
  put(in_day / 60'000 % 60, 2);
  *out++ = ':';
  put(in_day / 1000 % 60, 2);
  if (const int64_t millis = in_day % 1000; millis != 0) {
    *out++ = '.';
    put(millis, 3);
  }
  *out++ = 'Z';
  return std::string(buf, out);
}

std::string format_iso_date(int64_t days) {
  const CivilDate d = civil_from_days(days);
  if (d.year >= 0 && d.year <= 9999) {  // printf's cost, per cell of a query answer, avoided
    char text[10] = {char('0' + d.year / 1000),
                     char('0' + d.year / 100 % 10),
                     char('0' + d.year / 10 % 10),
                     char('0' + d.year % 10),
                     '-',
                     char('0' + d.month / 10),
                     char('0' + d.month % 10),
                     '-',
                     char('0' + d.day / 10),
                     char('0' + d.day % 10)};
    return std::string(text, sizeof text);
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(d.year), d.month,
                d.day);
  return buf;
}

}  // namespace sluice
