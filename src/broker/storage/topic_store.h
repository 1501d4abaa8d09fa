// Every topic of the broker: DATA_DIR/topics/<topic>/topic.conf (topic id,
// partition count and overridden configs) and one PartitionLog per partition
// directory.
//
// Invariant: every topic has a random v4 topic id (common/uuid.h), minted when
// the topic is created and kept in topic.conf; ids are never reused, so a topic
// re-created under a deleted one's name gets a new id.
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
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "broker/storage/log_cleaner.h"
#include "broker/storage/log_config.h"
#include "broker/storage/partition_log.h"
#include "common/uuid.h"

namespace sluice::broker {

enum class StoreStatus {
  kOk,
  kTopicExists,
  kUnknownTopic,
  kUnknownTopicId,
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
    Uuid id;
    int32_t partitions = 0;
    LogConfig config;
    std::map<std::string, std::string> overrides;
  };

  // Loads and recovers every topic under data_dir/topics.
  TopicStore(std::filesystem::path data_dir, TopicDefaults defaults);

  // On success, `created` (if given) receives the topic as made (its id zero when
  // validate_only, since nothing was made).
  StoreResult create_topic(const std::string& name, int32_t partitions,
                           const std::map<std::string, std::string>& configs,
                           bool validate_only = false, TopicInfo* created = nullptr);
  // With `only_id`, deletes the topic only while it still has that id
  // (kUnknownTopicId otherwise): a delete by id never takes a re-created topic.
  StoreResult delete_topic(const std::string& name, const std::optional<Uuid>& only_id = {});
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
  std::optional<TopicInfo> describe(const Uuid& id) const;
  std::vector<TopicInfo> list() const;

  // Each runs over every partition; one that fails is logged and the others still
  // run, so one bad partition cannot stall retention or flushing for all.
  size_t enforce_retention(int64_t now_ms);
  // One compaction pass over each compacted partition that is due (log_cleaner.h),
  // until `stopping` says so. Returns what the passes did together.
  CleanStats clean_compacted(int64_t now_ms, const CleanerOptions& options,
                             const std::function<bool()>& stopping);
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
  Uuid new_topic_id() const;

  std::filesystem::path root_;
  TopicDefaults defaults_;
  mutable std::shared_mutex mu_;
  std::map<std::string, Topic> topics_;
  uint64_t deletions_ = 0;  // numbers tombstones; guarded by mu_
};

// topic.conf's key for the topic id, written as Uuid::to_string().
inline constexpr const char* kTopicIdKey = "id";

// Data directory migration 1 -> 2 (storage/data_dir_format.h): gives every topic
// under data_dir/topics whose topic.conf has no id a new one. Idempotent: a
// topic that has an id keeps it.
void assign_missing_topic_ids(const std::filesystem::path& data_dir);

// Kafka's rule: 1-249 characters of [a-zA-Z0-9._-], not "." or "..". Returns why not, if not.
std::optional<std::string> invalid_topic_name(const std::string& name);

}  // namespace sluice::broker
