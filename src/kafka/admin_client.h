// Cluster administration over librdkafka's public admin and metadata APIs, so
// every operator command works against any Kafka-compatible cluster (Apache
// Kafka, Redpanda, the built-in broker), never through a side door of ours.
//
// Each method is one request; failures throw KafkaError worded for an operator.
// Nothing here creates a topic as a side effect of looking at it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kafka/types.h"

// librdkafka's types, declared only: its header stays inside src/kafka/.
struct rd_kafka_AdminOptions_s;
struct rd_kafka_queue_s;
struct rd_kafka_op_s;

namespace sluice::kafka {

class Connection;

struct NewTopicSpec {
  std::string name;
  int partitions = -1;          // -1: the broker's default
  int replication_factor = -1;  // -1: the broker's default
  std::map<std::string, std::string> configs;
};

class AdminClient {
 public:
  // Connects: throws KafkaError ("cannot reach …") if the cluster does not answer.
  explicit AdminClient(const Endpoint& endpoint);
  ~AdminClient();

  const Endpoint& endpoint() const;

  // Topics.
  ClusterInfo cluster();
  std::optional<TopicInfo> find_topic(const std::string& name);
  std::map<std::string, std::string> topic_configs(const std::string& topic);
  void create_topic(const NewTopicSpec& spec);
  void add_partitions(const std::string& topic, int total_partitions);
  void delete_topic(const std::string& topic);

  // Consumer groups.
  std::vector<GroupListing> list_groups();
  GroupDescription describe_group(const std::string& group);
  // Committed offsets of `group`, for every partition of `topic` (or of every topic).
  std::map<TopicPartition, int64_t> committed_offsets(const std::string& group,
                                                      const std::optional<std::string>& topic = {});
  void commit_offsets(const std::string& group, const std::map<TopicPartition, int64_t>& offsets);

  // Access control lists (CreateAcls, DescribeAcls, DeleteAcls). Each throws
  // KafkaError naming the first ACL or filter the cluster refused.
  void create_acls(const std::vector<AclEntry>& acls);
  std::vector<AclEntry> describe_acls(const AclEntryFilter& filter);
  // Returns the ACLs removed.
  std::vector<AclEntry> delete_acls(const AclEntryFilter& filter);

  // Offsets in the log.
  Watermarks watermarks(const std::string& topic, int32_t partition);
  // Per partition, the first offset whose timestamp is >= timestamp_ms; -1 if none is.
  std::map<int32_t, int64_t> offsets_for_time(const std::string& topic,
                                              const std::vector<int32_t>& partitions,
                                              int64_t timestamp_ms);

 private:
  using Submit = std::function<void(rd_kafka_AdminOptions_s*, rd_kafka_queue_s*)>;
  using ResultEvent = std::unique_ptr<rd_kafka_op_s, void (*)(rd_kafka_op_s*)>;
  // Posts one admin request and waits for its result event (which has no event-level error).
  ResultEvent run(const std::string& what, const Submit& submit);
  // ListOffsets: per partition, the offset for `timestamp_ms` (or -1 latest, -2 earliest).
  std::map<int32_t, int64_t> list_offsets(const std::string& topic,
                                          const std::vector<int32_t>& partitions,
                                          int64_t timestamp_ms, const std::string& what);

  std::unique_ptr<Connection> conn_;
  std::unique_ptr<rd_kafka_queue_s, void (*)(rd_kafka_queue_s*)> results_;
};

}  // namespace sluice::kafka
