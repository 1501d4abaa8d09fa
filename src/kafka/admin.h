// A thin RAII layer over librdkafka's admin and metadata APIs, for the operator
// CLIs. It uses only public client APIs, so every command works against any
// Kafka-compatible cluster, not only the built-in broker.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::kafka {

// An admin/metadata failure, worded for an operator (what failed, with which input).
class AdminError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct PartitionInfo {
  int32_t id = 0;
  int32_t leader = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::string error;  // empty when healthy
};

struct TopicInfo {
  std::string name;
  std::vector<PartitionInfo> partitions;
  std::string error;
};

struct ClusterInfo {
  std::vector<std::pair<int32_t, std::string>> brokers;  // id, host:port
  int32_t controller = -1;
  std::string cluster_id;
  std::vector<TopicInfo> topics;
};

struct GroupMember {
  std::string member_id;
  std::string client_id;
  std::string host;
  std::vector<std::pair<std::string, int32_t>> assignment;
};

struct GroupInfo {
  std::string group_id;
  std::string state;
  std::vector<GroupMember> members;
};

using TopicPartition = std::pair<std::string, int32_t>;

class AdminClient {
 public:
  AdminClient(const std::string& bootstrap, int timeout_ms);
  ~AdminClient();
  AdminClient(const AdminClient&) = delete;
  AdminClient& operator=(const AdminClient&) = delete;

  // Throws AdminError when the cluster cannot be reached within the timeout.
  ClusterInfo metadata(const std::optional<std::string>& topic = std::nullopt);
  std::map<std::string, std::string> topic_configs(const std::string& topic);
  void create_topic(const std::string& name, int partitions, int replication_factor,
                    const std::map<std::string, std::string>& configs);
  void create_partitions(const std::string& name, int total);
  void delete_topic(const std::string& name);

  std::vector<std::pair<std::string, std::string>> list_groups();  // (group id, state)
  GroupInfo describe_group(const std::string& group);
  std::map<TopicPartition, int64_t> committed_offsets(const std::string& group);
  void alter_committed_offsets(const std::string& group, const std::map<TopicPartition, int64_t>& offsets);

  std::pair<int64_t, int64_t> watermarks(const std::string& topic, int32_t partition);
  // First offset at or after `timestamp_ms` per partition; -1 where there is none.
  std::map<int32_t, int64_t> offsets_for_time(const std::string& topic, const std::vector<int32_t>& partitions,
                                              int64_t timestamp_ms);
  // Timestamp of the record at `offset`, or nullopt if it cannot be read in time.
  std::optional<int64_t> timestamp_at(const std::string& topic, int32_t partition, int64_t offset);

  const std::string& bootstrap() const { return bootstrap_; }

 private:
  struct EventDeleter {
    void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  };
  using Event = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
  // Runs one admin request whose `submit` posts to the queue; returns its result event.
  template <typename Submit>
  Event request(const char* what, Submit submit);

  std::string bootstrap_;
  int timeout_ms_;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
};

}  // namespace sluice::kafka
