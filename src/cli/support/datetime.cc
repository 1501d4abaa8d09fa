#include "cli/support/datetime.h"

#include <stdexcept>

#include "common/iso8601.h"

namespace sluice::cli {
namespace {

[[noreturn]] void reject(const std::string& text, const std::string& why) {
  throw std::invalid_argument(
      "'" + text + "' is not a date-time (" + why +
      "); use e.g. 2026-11-22T10:00:00Z, 2026-11-22T10:00:00.250Z or epoch milliseconds");
}

}  // namespace

int64_t parse_datetime_ms(const std::string& text) {
  const bool epoch_ms = text.size() >= 10 && text.size() <= 16 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
  if (epoch_ms) return std::stoll(text);
  if (std::optional<int64_t> ms = parse_iso8601_ms(text)) return *ms;
  reject(text, "not ISO-8601, or no such day or time");
}

}  // namespace sluice::cli
