// How `sluice dlq` shows DLQ records: times as ISO-8601 UTC, bytes as text when
// they are valid UTF-8 and as hex otherwise, one-line cells that never break a
// table, and JSON objects for --json. Payloads, keys and headers are chosen by
// others: nothing here prints them raw to a terminal or unescaped into JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cli/dlq/dlq_ledger.h"
#include "cli/dlq/dlq_reader.h"

namespace sluice::cli {

// 1795392000250 -> "2026-11-22T10:00:00.250Z".
std::string iso_time_ms(int64_t ms);
std::string iso_time_ms(const std::optional<int64_t>& ms);  // "-" when absent

bool is_utf8(std::string_view s);

// At most `max_chars` code points on one line (control characters become spaces),
// ending in "..." when cut; bytes that are not UTF-8 are shown as hex.
std::string one_line(std::string_view s, size_t max_chars);

// "68 65 6c ..." for the first `max_bytes` bytes, 16 per line, each line indented.
std::string hex_dump(std::string_view s, size_t max_bytes, const std::string& indent);

// A JSON string for bytes: the text itself when UTF-8, else "hex:<hex digits>"; null for nullopt.
std::string json_bytes(const std::optional<std::string>& bytes);

// One DLQ record as a JSON object; `with_data` adds key, value and every header.
std::string dlq_record_json(const DlqRecord& r, const LedgerEntry* replayed, bool with_data);

}  // namespace sluice::cli
