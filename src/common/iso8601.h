// ISO 8601 / RFC 3339 timestamps read without the C library's time zone
// machinery or a regex: event-time fields are parsed once per record, on the
// hot path of every stage that looks at event time.
//
// Accepted: YYYY-MM-DD('T'|'t'|' ')hh:mm:ss[(.|,)f{1,9}][Z | z | ±hh:mm | ±hhmm | ±hh].
// No offset means UTC (as Spark reads such strings with a UTC session time
// zone). Fractions beyond milliseconds are truncated. A day or time that does
// not exist (month 13, February 30, hour 24, second 60) is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// Milliseconds since the Unix epoch, or nullopt when `text` is not such a timestamp.
std::optional<int64_t> parse_iso8601_ms(std::string_view text);

// The inverse for UTC: 2026-01-05T10:00:00Z, with .mmm when the instant is not
// a whole second. Written digit by digit: window rows format two per row.
std::string format_iso8601_utc(int64_t epoch_ms);

// Days since 1970-01-01 of a proleptic Gregorian date (no range checks), and
// back: exact for any year, with none of gmtime's time zone state.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);
struct CivilDate {
  int64_t year;
  unsigned month, day;
  bool operator==(const CivilDate&) const = default;
};
CivilDate civil_from_days(int64_t days);
// Days since 1970-01-01 -> "YYYY-MM-DD" (Delta's and Avro's date text).
std::string format_iso_date(int64_t days);

// a / b rounded towards negative infinity (b > 0): days and seconds before 1970.
inline int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

}  // namespace sluice
