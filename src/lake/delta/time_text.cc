#include "lake/delta/time_text.h"

#include "common/iso8601.h"

namespace sluice::lake::delta {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kSecondsPerDay = 86400;

// A timestamp as "YYYY-MM-DD<sep>HH:MM:SS" and the microseconds of its second.
struct Split {
  std::string date_and_time;
  int64_t micros;
};

// Writes `n` decimal digits of 0 <= v < 10^n at `out`, zero-padded: printf's
// "%0nd" without its cost (the query API formats a timestamp per cell).
char* put_digits(char* out, int64_t v, int n) {
  for (int i = n - 1; i >= 0; --i, v /= 10) out[i] = char('0' + v % 10);
  return out + n;
}

Split split(int64_t micros, char separator) {
  const int64_t secs = floor_div(micros, kMicrosPerSecond);
  const int64_t days = floor_div(secs, kSecondsPerDay);
  const int64_t second_of_day = secs - days * kSecondsPerDay;
  char clock[9] = {separator};
  char* p = put_digits(clock + 1, second_of_day / 3600, 2);
  *p++ = ':';
  p = put_digits(p, second_of_day / 60 % 60, 2);
  *p++ = ':';
  put_digits(p, second_of_day % 60, 2);
  Split out{format_iso_date(days), micros - secs * kMicrosPerSecond};
  out.date_and_time.append(clock, sizeof clock);
  return out;
}

// "." and the fraction's first `n` digits of `micros` (< 1,000,000), appended to `text`.
void append_fraction(std::string& text, int64_t micros, int n) {
  char fraction[7] = {'.'};
  for (int i = 6; i > n; --i) micros /= 10;
  put_digits(fraction + 1, micros, n);
  text.append(fraction, size_t(n) + 1);
}

// The unsigned number in text[at, at+n), all digits; nullopt otherwise.
std::optional<int64_t> digits(std::string_view text, size_t at, size_t n) {
  if (at + n > text.size()) return std::nullopt;
  int64_t v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

}  // namespace

std::string format_timestamp_iso_millis(int64_t micros) {
  Split s = split(micros, 'T');
  append_fraction(s.date_and_time, s.micros, 3);
  return s.date_and_time + 'Z';
}

std::string format_timestamp_micros(int64_t micros) {
  Split s = split(micros, ' ');
  append_fraction(s.date_and_time, s.micros, 6);
  return std::move(s.date_and_time);
}

std::optional<int32_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  if (!year || !month || !day) return std::nullopt;
  const CivilDate c{*year, unsigned(*month), unsigned(*day)};
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > 31) return std::nullopt;
  const int64_t days = days_from_civil(c.year, c.month, c.day);
  if (civil_from_days(days) != c) return std::nullopt;  // 2026-02-30 and the like
  return int32_t(days);
}

std::optional<int64_t> parse_timestamp_micros(std::string_view text) {
  // The ISO form must be UTC ('Z'); the space form has no zone and is UTC by sluice's convention.
  const bool iso = text.size() > 10 && text[10] == 'T';
  if (iso) {
    if (text.back() != 'Z') return std::nullopt;
    text.remove_suffix(1);
  }
  if (text.size() < 19 || (text[10] != ' ' && text[10] != 'T') || text[13] != ':' ||
      text[16] != ':')
    return std::nullopt;
  const auto days = parse_date(text.substr(0, 10));
  const auto hour = digits(text, 11, 2), minute = digits(text, 14, 2), second = digits(text, 17, 2);
  if (!days || !hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 59)
    return std::nullopt;
  int64_t fraction = 0;
  if (text.size() > 19) {
    const size_t n = text.size() - 20;
    if (text[19] != '.' || n < 1 || n > 6) return std::nullopt;
    const auto f = digits(text, 20, n);
    if (!f) return std::nullopt;
    fraction = *f;
    for (size_t i = n; i < 6; ++i) fraction *= 10;
  }
  const int64_t secs = int64_t(*days) * kSecondsPerDay + *hour * 3600 + *minute * 60 + *second;
  return secs * kMicrosPerSecond + fraction;
}

}  // namespace sluice::lake::delta
