// Pure text helpers for configuration values: duration and size spellings,
// Kafka topic-name rules, "did you mean" suggestions and safe quoting. No YAML
// and no exceptions here, so each rule is stated once and testable alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::pipeline {

// "250" or "250ms", "5s", "5m", "1h", "1d" -> milliseconds; nullopt if malformed or too big.
std::optional<int64_t> parse_duration_ms(std::string_view text);
// "4096" or "4096B", "64KiB", "64MiB", "1GiB", "1TiB" -> bytes; nullopt if malformed or too big.
std::optional<int64_t> parse_size_bytes(std::string_view text);
std::string format_duration_ms(int64_t ms);    // the largest exact unit: 300000 -> "5m"
std::string format_size_bytes(int64_t bytes);  // 67108864 -> "64MiB"
// Why `name` is not a valid Kafka topic name; empty when it is.
std::string topic_name_problem(std::string_view name);
// The candidate closest to `word` when it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);
// Why `text` is not "HOST:PORT" with PORT in [min_port, 65535]; empty when it is.
std::string host_port_problem(std::string_view text, int min_port);
// `name` as part of an environment variable name: upper-cased, every other
// character than A-Z and 0-9 replaced by '_' ("claims.ingest-2" -> "CLAIMS_INGEST_2").
std::string env_name_part(std::string_view name);
// `text` quoted for an error message: truncated, control characters escaped.
std::string quote_value(std::string_view text);

}  // namespace sluice::pipeline
