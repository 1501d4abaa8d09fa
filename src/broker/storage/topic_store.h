// Every topic of the broker: DATA_DIR/topics/<topic>/topic.conf (partition
// count and overridden configs) and one PartitionLog per partition directory.
//
// Invariant: topic.conf is replaced atomically (temp file, fsync, rename), so a
// crash leaves the old or the new settings, never a mix. A deleted topic's
// directory is renamed to a tombstone (~deleted-N, never a valid topic name) in
// one step before its files go, so a crash mid-delete cannot bring back half a
// topic; its partitions stop writing, so a topic re-created under the same name
// never receives the old one's segments, nor reads them by path. Readers
// holding a deleted partition keep reading its files while they stay open.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "broker/storage/log_config.h"
#include "broker/storage/partition_log.h"

namespace sluice::broker {

enum class StoreStatus {
  kOk,
  kTopicExists,
  kUnknownTopic,
  kInvalidTopicName,
  kInvalidPartitions,
  kInvalidConfig,
  kIoError
};

struct StoreResult {
  StoreStatus status = StoreStatus::kOk;
  std::string message;
};

struct TopicDefaults {
  int32_t partitions = 1;
  LogConfig log;
};

class TopicStore {
 public:
  struct TopicInfo {
    std::string name;
    int32_t partitions = 0;
    LogConfig config;
    std::map<std::string, std::string> overrides;
  };

  // Loads and recovers every topic under data_dir/topics.
  TopicStore(std::filesystem::path data_dir, TopicDefaults defaults);

  StoreResult create_topic(const std::string& name, int32_t partitions,
                           const std::map<std::string, std::string>& configs,
                           bool validate_only = false);
  StoreResult delete_topic(const std::string& name);
  StoreResult add_partitions(const std::string& name, int32_t new_total);
  // Sets (value) or removes (nullopt: back to the broker default) overridden
  // configs, all or none, and applies them to every partition at once.
  StoreResult alter_configs(const std::string& name,
                            const std::map<std::string, std::optional<std::string>>& changes,
                            bool validate_only = false);

  // New broker-level defaults (BrokerDefaults): every topic's settings are rebuilt
  // from them and its own overrides, and applied to its partitions at once.
  void set_defaults(const LogConfig& log);

  std::shared_ptr<PartitionLog> partition(const std::string& topic, int32_t partition) const;
  std::optional<TopicInfo> describe(const std::string& name) const;
  std::vector<TopicInfo> list() const;

  // Each runs over every partition; one that fails is logged and the others still
  // run, so one bad partition cannot stall retention or flushing for all.
  size_t enforce_retention(int64_t now_ms);
  void flush_due();
  void flush_all();

 private:
  struct Topic {
    TopicInfo info;
    std::vector<std::shared_ptr<PartitionLog>> partitions;
  };
  std::filesystem::path topic_dir(const std::string& name) const { return root_ / name; }
  void load_topic(const std::filesystem::path& dir);
  void write_topic_conf(const Topic& t) const;
  std::vector<std::shared_ptr<PartitionLog>> all_partitions() const;
  std::filesystem::path new_tombstone();

  std::filesystem::path root_;
  TopicDefaults defaults_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Topic> topics_;
  uint64_t deletions_ = 0;  // numbers tombstones; guarded by mu_
};

// Kafka's rule: 1-249 characters of [a-zA-Z0-9._-], not "." or "..". Returns why not, if not.
std::optional<std::string> invalid_topic_name(const std::string& name);

}  // namespace sluice::broker
