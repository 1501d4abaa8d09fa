// Plain values the Kafka layer hands to its callers, so that nothing above
// src/kafka/ needs librdkafka's structs or has to manage their memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::kafka {

// librdkafka properties (name, value), applied in order.
using Settings = std::vector<std::pair<std::string, std::string>>;

// What every client sluice builds is told. The settings sluice always wants for
// a kind of client (idempotence for producers, manual commits for consumers) are
// added by Producer and Consumer themselves; `settings` come on top of them.
struct ClientOptions {
  std::string bootstrap;
  std::string client_id = "sluice-cli";
  // librdkafka's own log level (syslog numbers, 0-7); -1 leaves librdkafka's default.
  // SLUICE_RDKAFKA_DEBUG=admin,protocol overrides it with 7 and turns debugging on.
  int log_level = -1;
  // Drop librdkafka's own log lines: the client reports through its error listener.
  bool drop_logs = false;
  Settings settings;
};

// Special offsets, as librdkafka spells them.
inline constexpr int64_t kOffsetBeginning = -2;
inline constexpr int64_t kOffsetEnd = -1;
inline constexpr int64_t kOffsetInvalid =
    -1001;  // none known: the group's committed offset is used

struct PartitionOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = kOffsetInvalid;
};

// Where the cluster is and how long any one call may wait for it.
struct Endpoint {
  std::string bootstrap;
  int timeout_ms = 10000;
};

using TopicPartition = std::pair<std::string, int32_t>;

struct PartitionInfo {
  int32_t id = 0;
  int32_t leader = -1;  // -1: no leader, the partition is offline
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  std::string error;  // empty when healthy
};

struct TopicInfo {
  std::string name;
  std::vector<PartitionInfo> partitions;
  std::string error;  // empty when healthy
};

struct BrokerInfo {
  int32_t id = -1;
  std::string address;  // host:port as the cluster advertises it
};

struct ClusterInfo {
  std::vector<BrokerInfo> brokers;
  int32_t controller = -1;
  std::string cluster_id;
  std::vector<TopicInfo> topics;
};

struct GroupListing {
  std::string group_id;
  std::string state;    // Empty, Stable, PreparingRebalance, CompletingRebalance, Dead, Unknown
  bool simple = false;  // commits offsets without group membership (no protocol type)
};

struct GroupMember {
  std::string member_id;
  std::string client_id;
  std::string host;
  std::vector<TopicPartition> assignment;
};

struct GroupDescription {
  std::string group_id;
  std::string state;
  std::vector<GroupMember> members;
};

struct Watermarks {
  int64_t low = 0;   // first offset still in the log
  int64_t high = 0;  // log end offset: the next offset to be written
};

// An ACL as the admin API carries it. The enum fields hold Kafka's codes
// (resource type 2 TOPIC .. 5 TRANSACTIONAL_ID, pattern 3 LITERAL / 4 PREFIXED,
// operation 2 ALL .. 12 IDEMPOTENT_WRITE, permission 2 DENY / 3 ALLOW).
struct AclEntry {
  int8_t resource_type = 0;
  std::string resource_name;
  int8_t pattern_type = 3;
  std::string principal;
  std::string host = "*";
  int8_t operation = 0;
  int8_t permission = 0;
};

// Selects ACLs: 1 (ANY) in an enum field and nullopt in a string field match
// every value; pattern type 2 (MATCH) selects every pattern applying to the name.
struct AclEntryFilter {
  int8_t resource_type = 1;
  std::optional<std::string> resource_name;
  int8_t pattern_type = 1;
  std::optional<std::string> principal;
  std::optional<std::string> host;
  int8_t operation = 1;
  int8_t permission = 1;
};

}  // namespace sluice::kafka
