// Dates and timestamps as text in the Delta log: per-file statistics
// (PROTOCOL.md "Per-file Statistics") and partition values (PROTOCOL.md
// "Partition Value Serialization"). Always UTC and proleptic Gregorian, never
// the process's time zone, so every writer and reader agrees on the text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::lake::delta {

// Microseconds since the epoch -> "YYYY-MM-DDTHH:MM:SS.mmmZ" (the stats form).
std::string format_timestamp_iso_millis(int64_t micros);
// Microseconds since the epoch -> "YYYY-MM-DD HH:MM:SS.ffffff" (the partition value form, UTC).
std::string format_timestamp_micros(int64_t micros);

// "YYYY-MM-DD" -> days since 1970-01-01; nullopt when malformed.
std::optional<int32_t> parse_date(std::string_view text);
// "YYYY-MM-DD HH:MM:SS[.ffffff]" or "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (both read as UTC)
// -> microseconds since the epoch; nullopt when malformed.
std::optional<int64_t> parse_timestamp_micros(std::string_view text);

}  // namespace sluice::lake::delta
