#include "broker/storage/log_config.h"

#include <fmt/format.h>

namespace sluice::broker {
namespace {

std::optional<int64_t> parse_int(const std::string& s) {
  try {
    size_t used = 0;
    int64_t v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> apply_config(LogConfig& config, const std::string& key,
                                        const std::string& value) {
  auto n = parse_int(value);
  auto bad = [&](const char* range) {
    return fmt::format("{} must be {}, got '{}'", key, range, value);
  };
  if (key == "retention.ms") {
    if (!n || *n < -1) return bad("an integer >= -1 (milliseconds; -1 keeps forever)");
    config.retention_ms = *n;
  } else if (key == "retention.bytes") {
    if (!n || *n < -1) return bad("an integer >= -1 (bytes; -1 means no limit)");
    config.retention_bytes = *n;
  } else if (key == "segment.bytes") {
    if (!n || *n < 1024 || *n > INT32_MAX) return bad("an integer from 1024 to 2147483647");
    config.segment_bytes = *n;
  } else if (key == "max.message.bytes") {
    if (!n || *n < 0 || *n > INT32_MAX) return bad("an integer from 0 to 2147483647");
    config.max_message_bytes = int32_t(*n);
  } else if (key == "cleanup.policy") {
    if (value != "delete" && value != "compact" && value != "compact,delete" &&
        value != "delete,compact") {
      return bad("'delete', 'compact' or 'compact,delete'");
    }
    config.cleanup_policy = value;
  } else {
    return fmt::format(
        "unknown topic config '{}'; supported: retention.ms, retention.bytes, segment.bytes, "
        "max.message.bytes, cleanup.policy",
        key);
  }
  return std::nullopt;
}

std::map<std::string, std::string> config_to_map(const LogConfig& config) {
  return {{"cleanup.policy", config.cleanup_policy},
          {"max.message.bytes", std::to_string(config.max_message_bytes)},
          {"retention.bytes", std::to_string(config.retention_bytes)},
          {"retention.ms", std::to_string(config.retention_ms)},
          {"segment.bytes", std::to_string(config.segment_bytes)}};
}

}  // namespace sluice::broker
