// Parsing the points in time operators type (`--to-datetime`): one parser, so
// every command accepts the same spellings and rejects the same mistakes.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::cli {

// Milliseconds since the epoch from "2026-11-22T10:00:00Z", "...T10:00:00.250Z",
// "...T10:00:00+01:00" (no zone means UTC) or epoch milliseconds ("1795392000000").
// Throws std::invalid_argument, quoting the text and an example, for anything else
// — including impossible dates such as month 13.
int64_t parse_datetime_ms(const std::string& text);

}  // namespace sluice::cli
