// Per-topic log settings, named and validated as Kafka names them, so admin
// clients can create, describe and alter them unchanged.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace sluice::broker {

struct FlushPolicy {
  bool always = true;       // fdatasync before an append returns
  int64_t interval_ms = 0;  // otherwise: fdatasync this often (flush_if_due)
};

struct LogConfig {
  int64_t segment_bytes = 1LL << 30;              // segment.bytes
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // retention.ms, -1 = forever
  int64_t retention_bytes = -1;                   // retention.bytes, -1 = no limit
  int32_t max_message_bytes = 1048588;            // max.message.bytes: largest batch
  std::string cleanup_policy = "delete";          // cleanup.policy: stored and reported
  int32_t index_interval_bytes = 4096;            // index.interval.bytes
  FlushPolicy flush;
};

// Applies one Kafka-named setting; returns a message naming the key, the value
// and the accepted range when it is unknown or invalid.
std::optional<std::string> apply_config(LogConfig& config, const std::string& key,
                                        const std::string& value);

// The settings DescribeConfigs reports, by Kafka name.
std::map<std::string, std::string> config_to_map(const LogConfig& config);

}  // namespace sluice::broker
