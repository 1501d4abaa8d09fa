// Event time: reading a record's timestamp and writing window bounds.
//
// Invariant: parse_event_time() returns the instant the text names, in epoch
// milliseconds UTC, or nullopt — never a guess. Text without a UTC offset
// ("2026-01-05T10:00:00") names no instant, so it is refused rather than read
// as UTC or local time; an offset ("+02:00", "-0530", "Z") is applied, so
// "10:00:00+02:00" and "08:00:00Z" are the same instant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::stages {

// ISO-8601 date-time with an offset: YYYY-MM-DD('T'|'t'|' ')hh:mm:ss[.fraction]
// then 'Z', 'z', ±hh:mm, ±hhmm or ±hh. Digits of the fraction past milliseconds
// are truncated (toward the past, like the epoch-millisecond form).
std::optional<int64_t> parse_iso8601_ms(std::string_view text);

// Epoch milliseconds written as a decimal integer ("1767607200000").
std::optional<int64_t> parse_epoch_ms_text(std::string_view text);

// 2026-01-05T10:00:00Z, with .mmm when the instant is not a whole second.
std::string format_iso8601_utc(int64_t epoch_ms);

}  // namespace sluice::stages
