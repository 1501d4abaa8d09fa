#include "common/exchange_time.h"

#include <chrono>

namespace sluice {

int sydney_offset_minutes(int32_t local_days) {
  using namespace std::chrono;
  const year_month_day date{sys_days{days{local_days}}};
  // The first Sunday of a month of this year.
  auto first_sunday = [&](month m) {
    return sys_days{year_month_weekday{date.year(), m, Sunday[1]}}.time_since_epoch().count();
  };
  const bool summer = local_days >= first_sunday(October) || local_days < first_sunday(April);
  return summer ? 660 : 600;
}

int sydney_offset_minutes_at(int64_t utc_ms) {
  constexpr int64_t kDayMs = 86'400'000;
  // The local date at standard time (+10:00); summer time moves it by an hour,
  // which changes the date only between 23:00 and 24:00 local, never a switch day's.
  const int64_t local_ms = utc_ms + 600 * 60'000;
  const int64_t days = local_ms >= 0 ? local_ms / kDayMs : (local_ms - kDayMs + 1) / kDayMs;
  return sydney_offset_minutes(int32_t(days));
}

std::optional<OffsetAt> zone_offset_rule(std::string_view iana_name) {
  if (iana_name == "Australia/Sydney") return &sydney_offset_minutes_at;
  return std::nullopt;
}

}  // namespace sluice
