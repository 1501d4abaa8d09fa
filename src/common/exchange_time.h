// Exchange-local time without a time-zone database: the rules of the zones the
// seed systems trade in, written out. Only Australia/Sydney (the ASX) so far.
//
// Invariant: sydney_offset_minutes_at(t) is Sydney's UTC offset at instant t,
// except within the hour of a switch (02:00-03:00 local on the first Sundays of
// April and October), long before any market opens.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice {

// Sydney's UTC offset in minutes on a local date (days since 1970-01-01):
// +11:00 from the first Sunday of October to the first Sunday of April, else +10:00.
int sydney_offset_minutes(int32_t local_days);

// Sydney's UTC offset in minutes at an instant (ms since the epoch).
int sydney_offset_minutes_at(int64_t utc_ms);

// The UTC offset function of a zone by its IANA name; nullopt for a zone this
// file has no rule for.
using OffsetAt = int (*)(int64_t utc_ms);
std::optional<OffsetAt> zone_offset_rule(std::string_view iana_name);

}  // namespace sluice
