#include <ctime>
#include <regex>
#include <stdexcept>

#include "cli/kafka_flags.h"

namespace sluice::cli {

int64_t parse_datetime_ms(const std::string& text) {
  static const std::regex digits("^[0-9]{10,16}$");
  if (std::regex_match(text, digits)) return std::stoll(text);
  static const std::regex iso(
      R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:\d{2})?$)");
  std::smatch m;
  if (!std::regex_match(text, m, iso)) {
    throw std::invalid_argument("'" + text + "' is not a date-time; use e.g. 2026-11-22T10:00:00Z or epoch milliseconds");
  }
  std::tm tm{};
  tm.tm_year = std::stoi(m[1]) - 1900;
  tm.tm_mon = std::stoi(m[2]) - 1;
  tm.tm_mday = std::stoi(m[3]);
  tm.tm_hour = std::stoi(m[4]);
  tm.tm_min = std::stoi(m[5]);
  tm.tm_sec = std::stoi(m[6]);
  int64_t ms = int64_t(timegm(&tm)) * 1000;
  if (m[7].matched) ms += std::stoi(m[7].str() + std::string(3 - m[7].length(), '0'));
  std::string zone = m[8].matched ? m[8].str() : "Z";
  if (zone != "Z") {
    int64_t offset_min = std::stoi(zone.substr(1, 2)) * 60 + std::stoi(zone.substr(4, 2));
    ms -= (zone[0] == '+' ? 1 : -1) * offset_min * 60 * 1000;
  }
  return ms;
}

}  // namespace sluice::cli
