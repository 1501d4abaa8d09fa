// Event time beside ISO-8601 text (common/iso8601.h, the one parser of
// timestamps): epoch milliseconds written as text, and window bounds written
// back as UTC text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::stages {

// Epoch milliseconds written as a decimal integer ("1767607200000").
std::optional<int64_t> parse_epoch_ms_text(std::string_view text);

// 2026-01-05T10:00:00Z, with .mmm when the instant is not a whole second.
std::string format_iso8601_utc(int64_t epoch_ms);

}  // namespace sluice::stages
