// One KIP-848 consumer group (group.protocol=consumer): the coordinator assigns
// partitions itself and members converge on it heartbeat by heartbeat.
//
// Three epochs, as KIP-848 defines them:
// - the group epoch grows whenever what the assignment depends on changes: a
//   member joins or goes, a subscription or the chosen assignor changes, or a
//   subscribed topic appears, disappears or gains partitions;
// - the assignment epoch is the group epoch the target assignment was computed
//   at; it catches up with the group epoch on the next heartbeat;
// - each member's epoch reaches the assignment epoch once it reconciled
//   (reconciliation.h): it revokes first at its old epoch, then advances.
//
// Invariants: assignment_epoch <= group_epoch; every member epoch <=
// assignment_epoch; a partition is held by at most one member (reconciliation.h).
// Membership lives in memory only: after a broker restart every member is unknown,
// answers UNKNOWN_MEMBER_ID and rejoins with epoch 0; committed offsets are in the
// OffsetStore and survive. ConsumerGroup holds the state; GroupCoordinator calls it
// under its lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "broker/groups/assignors/assignor.h"
#include "broker/groups/reconciliation.h"

namespace sluice::broker {

struct ConsumerGroupOptions {
  int32_t session_timeout_ms = 45000;        // group.consumer.session.timeout.ms
  int32_t heartbeat_interval_ms = 5000;      // group.consumer.heartbeat.interval.ms
  std::string default_assignor = "uniform";  // first of group.consumer.assignors
};

// Every topic on the broker, by name: what subscriptions resolve against.
using TopicCatalog = std::map<std::string, AssignorTopic>;

// A ConsumerGroupHeartbeat, translated; null fields are unchanged since the last one.
struct ConsumerHeartbeat {
  std::string group_id;
  std::string member_id;
  int32_t member_epoch = 0;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  int32_t rebalance_timeout_ms = -1;
  std::optional<std::vector<std::string>> subscribed_topic_names;
  std::optional<std::string> subscribed_topic_regex;
  std::optional<std::string> server_assignor;
  std::optional<PartitionSet> owned;
  std::string client_id;
  std::string client_host;
};

struct ConsumerHeartbeatResult {
  int16_t error = 0;
  std::string message;  // why, when error is not 0
  std::string member_id;
  int32_t member_epoch = 0;
  int32_t heartbeat_interval_ms = 0;
  std::optional<PartitionSet> assignment;  // null: unchanged since the last answer
};

struct ConsumerMember {
  std::string id;
  std::optional<std::string> instance_id;
  std::optional<std::string> rack_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 300000;
  std::vector<std::string> subscribed_names;
  std::optional<std::string> subscribed_regex;  // ECMAScript syntax, whole-name match
  std::shared_ptr<const std::regex> compiled_regex;
  std::string server_assignor;  // "" : the group's default
  MemberAssignment assignment;
  int64_t last_seen_ms = 0;            // monotonic
  int64_t revocation_deadline_ms = 0;  // while kUnrevokedPartitions
  bool left_for_now = false;           // a static member that left with epoch -2, until it expires
};

class ConsumerGroup {
 public:
  ConsumerGroup(std::string id, ConsumerGroupOptions options);

  ConsumerHeartbeatResult heartbeat(const ConsumerHeartbeat& hb, const TopicCatalog& topics,
                                    int64_t now_ms);
  // Removes members whose session expired or who did not revoke in time; true if any.
  bool expire(int64_t now_ms);

  const std::string& id() const { return id_; }
  bool empty() const { return members_.empty(); }
  // Kafka's ConsumerGroupState names: Empty, Assigning, Reconciling, Stable.
  std::string state() const;
  int32_t group_epoch() const { return group_epoch_; }
  int32_t assignment_epoch() const { return assignment_epoch_; }
  const std::string& assignor() const { return assignor_; }
  const std::map<std::string, ConsumerMember>& members() const { return members_; }
  const PartitionSet& target_of(const std::string& member_id) const;
  // The existing topics the members' subscriptions name or match.
  std::map<std::string, AssignorTopic> subscribed_topics(const TopicCatalog& topics) const;
  // For OffsetCommit v9 / OffsetFetch v9: 0, UNKNOWN_MEMBER_ID, STALE or FENCED_MEMBER_EPOCH.
  int16_t check_member_epoch(const std::string& member_id, int32_t epoch) const;

 private:
  ConsumerHeartbeatResult leave(const ConsumerHeartbeat& hb);
  ConsumerHeartbeatResult join_or_find(const ConsumerHeartbeat& hb, ConsumerMember*& out,
                                       bool& full, bool& created);
  ConsumerHeartbeatResult update_subscription(ConsumerMember& m, const ConsumerHeartbeat& hb);
  void remove_member(const std::string& member_id, const char* why);
  void refresh_target(const TopicCatalog& topics);
  std::string choose_assignor() const;
  bool held_by_other(const std::string& member_id, const Uuid& topic, int32_t partition) const;

  std::string id_;
  ConsumerGroupOptions options_;
  int32_t group_epoch_ = 0;
  int32_t assignment_epoch_ = 0;
  bool assignment_inputs_changed_ = false;  // during a heartbeat: bump the group epoch
  std::string assignor_;
  std::map<std::string, ConsumerMember> members_;
  std::map<std::string, std::string> static_members_;  // instance id -> member id
  TargetAssignment target_;
  std::map<std::string, AssignorTopic> topics_at_epoch_;  // what the group epoch saw
};

}  // namespace sluice::broker
