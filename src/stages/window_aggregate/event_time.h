// Event time beside ISO-8601 text (common/iso8601.h, the one parser of
// timestamps): epoch milliseconds written as text, and window bounds written
// back as UTC text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/iso8601.h"  // format_iso8601_utc: window bounds as text

namespace sluice::stages {

// Epoch milliseconds written as a decimal integer ("1767607200000").
std::optional<int64_t> parse_epoch_ms_text(std::string_view text);

}  // namespace sluice::stages
