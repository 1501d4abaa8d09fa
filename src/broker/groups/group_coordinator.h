// The group coordinator: membership, rebalances and committed offsets for
// every consumer group on this broker. JoinGroup and SyncGroup block the
// calling connection until the rebalance step they wait for completes, exactly
// as a Kafka coordinator parks them; tick() drives the timeouts.
//
// Invariant: all group state changes happen under one mutex, and every change
// that a parked call could be waiting for notifies the shared condition variable.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/groups/consumer_group.h"
#include "broker/groups/group.h"
#include "broker/groups/offset_store.h"

namespace sluice::broker {

struct CoordinatorOptions {
  int32_t min_session_timeout_ms = 1000;      // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;   // group.max.session.timeout.ms
  int32_t initial_rebalance_delay_ms = 1000;  // group.initial.rebalance.delay.ms
  ConsumerGroupOptions consumer;              // KIP-848 groups (group.consumer.*)
};

struct JoinRequestArgs {
  std::string group_id;
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  std::string protocol_type;
  std::vector<std::pair<std::string, Bytes>> protocols;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::optional<std::string> reason;  // the client's words (JoinGroup v8+), for the log
};

// What a SyncGroup (v5+) says the member joined with; null: not said (older versions).
struct SyncProtocol {
  std::optional<std::string> type;
  std::optional<std::string> name;
};

struct SyncResult {
  int16_t error = 0;
  Bytes assignment;
  std::string protocol_type;  // the group's, when error is 0
  std::string protocol_name;
};

struct LeavingMember {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::optional<std::string> reason;  // the client's words (LeaveGroup v5+), for the log
};

// A group as ListGroups shows it.
struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
  std::string state;             // Kafka's state names, as in GroupDescription
  std::string type = "classic";  // or "consumer" (KIP-848), as ListGroups v5 names them
};

struct MemberDescription {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  Bytes metadata;
  Bytes assignment;
};

struct GroupDescription {
  int16_t error = 0;
  std::string group_id;
  std::string state;
  std::string protocol_type;
  std::string protocol_name;
  std::vector<MemberDescription> members;
};

struct CommitCheck {
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> instance_id;
  // TxnOffsetCommit: accepted whatever the group's state, as Kafka does. A
  // rebalance in progress is not an error its clients expect there (Java's
  // producer fails the transaction for good on it), and the generation check
  // still fences a member that was replaced.
  bool transactional = false;
};

class GroupCoordinator {
 public:
  GroupCoordinator(OffsetStore& offsets, CoordinatorOptions options);

  JoinResult join(const JoinRequestArgs& args);
  SyncResult sync(const std::string& group_id, int32_t generation, const std::string& member_id,
                  const std::optional<std::string>& instance_id,
                  const std::vector<std::pair<std::string, Bytes>>& assignments,
                  const SyncProtocol& protocol = {});
  int16_t heartbeat(const std::string& group_id, int32_t generation, const std::string& member_id,
                    const std::optional<std::string>& instance_id);
  // Per member: its error code (0 when it left).
  std::vector<int16_t> leave(const std::string& group_id,
                             const std::vector<LeavingMember>& members);
  // The error OffsetCommit answers for this group and member; 0 allows the commit.
  int16_t check_commit(const std::string& group_id, const CommitCheck& who);
  GroupDescription describe(const std::string& group_id);
  std::vector<ListedGroup> list();
  int16_t delete_group(const std::string& group_id);
  // OffsetDelete: 0, or GROUP_SUBSCRIBED_TO_TOPIC when an active member reads `topic`.
  int16_t check_offset_delete(const std::string& group_id, const std::string& topic);

  // KIP-848 (consumer_group.h). A group id is either a classic group or a consumer
  // group; a non-empty one of one kind refuses the other kind's requests, an empty
  // one is replaced.
  ConsumerHeartbeatResult consumer_heartbeat(const ConsumerHeartbeat& hb,
                                             const TopicCatalog& topics);
  // A copy of the consumer group, or nullopt when `group_id` is not one.
  std::optional<ConsumerGroup> consumer_group(const std::string& group_id);
  // OffsetFetch v9+: 0 unless `member_id` names a member of a consumer group that
  // is unknown or at another epoch. Classic groups are not checked (as v8).
  int16_t check_offset_fetch(const std::string& group_id,
                             const std::optional<std::string>& member_id, int32_t member_epoch);

  // Expires silent members and completes rebalances whose time is up. Called periodically.
  void tick();
  // Wakes every parked call with COORDINATOR_NOT_AVAILABLE; used at shutdown.
  void shutdown();

  OffsetStore& offsets() { return offsets_; }

 private:
  Group& group(const std::string& id);
  Group* find(const std::string& id);
  void prepare_rebalance(Group& g, std::string_view reason);
  void maybe_complete_join(Group& g);
  void expire_members(Group& g, int64_t now);
  int16_t check_member(Group& g, const std::string& member_id,
                       const std::optional<std::string>& instance_id);
  JoinResult static_rejoin(Group& g, const std::string& old_id, const JoinRequestArgs& args);
  JoinResult wait_for_join(std::unique_lock<std::mutex>& lock, Group& g,
                           const std::string& member_id);

  OffsetStore& offsets_;
  CoordinatorOptions options_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, Group> groups_;
  std::map<std::string, ConsumerGroup> consumer_groups_;
  bool shutting_down_ = false;
};

}  // namespace sluice::broker
