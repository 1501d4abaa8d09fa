#include "cli/support/datetime.h"

#include <ctime>
#include <regex>
#include <stdexcept>

namespace sluice::cli {
namespace {

[[noreturn]] void reject(const std::string& text, const std::string& why) {
  throw std::invalid_argument(
      "'" + text + "' is not a date-time (" + why +
      "); use e.g. 2026-11-22T10:00:00Z, 2026-11-22T10:00:00.250Z or epoch milliseconds");
}

int field(const std::ssub_match& m) {
  return std::stoi(m.str());
}

}  // namespace

int64_t parse_datetime_ms(const std::string& text) {
  static const std::regex kEpochMs("^[0-9]{10,16}$");
  if (std::regex_match(text, kEpochMs)) return std::stoll(text);
  // date T time [.fraction] [zone]
  static const std::regex kIso(R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2}))"
                               R"((?:\.(\d{1,3}))?(Z|[+-]\d{2}:\d{2})?$)");
  std::smatch m;
  if (!std::regex_match(text, m, kIso)) reject(text, "not ISO-8601");
  std::tm tm{};
  tm.tm_year = field(m[1]) - 1900;
  tm.tm_mon = field(m[2]) - 1;
  tm.tm_mday = field(m[3]);
  tm.tm_hour = field(m[4]);
  tm.tm_min = field(m[5]);
  tm.tm_sec = field(m[6]);
  const std::tm asked = tm;
  int64_t ms = int64_t{timegm(&tm)} * 1000;
  // timegm normalises (month 13 becomes January); a changed field means it was out of range.
  if (tm.tm_mon != asked.tm_mon || tm.tm_mday != asked.tm_mday || tm.tm_hour != asked.tm_hour ||
      tm.tm_min != asked.tm_min || tm.tm_sec != asked.tm_sec) {
    reject(text, "no such day or time");
  }
  if (m[7].matched) ms += std::stoi(m[7].str() + std::string(3 - m[7].length(), '0'));
  if (m[8].matched && m[8].str() != "Z") {
    const std::string zone = m[8].str();
    int64_t offset_min = std::stoi(zone.substr(1, 2)) * 60 + std::stoi(zone.substr(4, 2));
    ms -= (zone[0] == '+' ? 1 : -1) * offset_min * 60 * 1000;
  }
  return ms;
}

}  // namespace sluice::cli
