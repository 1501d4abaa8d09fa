// Per-topic log settings, named and validated as Kafka names them, so admin
// clients can create, describe and alter them unchanged. Every setting is one
// row of a table (log_config.cc): its Kafka name, the broker-level synonym that
// sets its default, its type, and how it is read into and written from
// LogConfig. Settings a single node cannot honour (replication, preallocation)
// are accepted, stored and shown, as Kafka shows them; docs/kafka-tools.md says
// which are honoured.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::broker {

struct FlushPolicy {
  bool always = true;       // fdatasync before an append returns
  int64_t interval_ms = 0;  // otherwise: fdatasync this often (flush_if_due)
};

enum class TimestampType { kCreateTime, kLogAppendTime };

struct LogConfig {
  static constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

  int64_t segment_bytes = 1LL << 30;              // segment.bytes
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;    // segment.ms: roll an older active segment
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  // retention.ms, -1 = forever
  int64_t retention_bytes = -1;                   // retention.bytes, -1 = no limit
  int32_t max_message_bytes = 1048588;            // max.message.bytes: largest batch
  std::string cleanup_policy = "delete";          // cleanup.policy
  int32_t index_interval_bytes = 4096;            // index.interval.bytes
  // message.timestamp.type: LogAppendTime stamps every batch with the broker's clock.
  TimestampType timestamp_type = TimestampType::kCreateTime;
  // message.timestamp.before.max.ms / after.max.ms: how far a CreateTime may lie
  // behind or ahead of the broker's clock (INVALID_TIMESTAMP beyond).
  int64_t timestamp_before_max_ms = kNoLimit;
  int64_t timestamp_after_max_ms = kNoLimit;
  // Stored and shown; read by the log cleaner (compaction) and the produce path.
  std::string compression_type = "producer";
  int64_t delete_retention_ms = 24LL * 3600 * 1000;
  int64_t min_compaction_lag_ms = 0;
  int64_t max_compaction_lag_ms = kNoLimit;
  double min_cleanable_dirty_ratio = 0.5;
  // Accepted and shown only: one node has no replicas to wait for or elect.
  int32_t min_insync_replicas = 1;
  bool unclean_leader_election_enable = false;
  bool preallocate = false;
  int32_t segment_index_bytes = 10 * 1024 * 1024;
  int64_t segment_jitter_ms = 0;
  int64_t file_delete_delay_ms = 60'000;
  FlushPolicy flush;
};

// Kafka's config types (DescribeConfigs v3+).
enum class ConfigType : int8_t {
  kBoolean = 1,
  kString = 2,
  kInt = 3,
  kLong = 5,
  kDouble = 6,
  kList = 7,
};

struct ConfigDef {
  const char* name;            // the topic-level name: retention.ms
  const char* broker_synonym;  // the broker-level default: log.retention.ms
  ConfigType type;
  const char* doc;  // what it does here, for DescribeConfigs' documentation
};

// The items of a list setting ("compact, delete" -> compact, delete), blanks
// around them and empty items left out.
std::vector<std::string> config_list_items(std::string_view value);
// Whether cleanup.policy lists `policy` ("delete" or "compact").
bool has_cleanup_policy(const LogConfig& config, std::string_view policy);

// Every topic config, in name order.
std::span<const ConfigDef> topic_config_defs();
const ConfigDef* find_topic_config(const std::string& name);
// The topic config a broker-level name sets the default of (log.retention.ms ->
// retention.ms), or nullptr.
const ConfigDef* find_by_broker_synonym(const std::string& broker_name);

// Applies one Kafka-named setting; returns a message naming the key, the value
// and the accepted values when it is unknown or invalid.
std::optional<std::string> apply_config(LogConfig& config, const std::string& key,
                                        const std::string& value);

// Every setting's current value, by Kafka name, as DescribeConfigs reports it.
std::map<std::string, std::string> config_to_map(const LogConfig& config);

}  // namespace sluice::broker
