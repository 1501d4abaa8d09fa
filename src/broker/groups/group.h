// One consumer group's membership and its rebalance state machine:
//
//   Empty --join--> PreparingRebalance --all joined / timeout--> CompletingRebalance
//   CompletingRebalance --leader's SyncGroup--> Stable --join, leave, expiry--> PreparingRebalance
//   any state --last member gone--> Empty;  DeleteGroups: Empty --> Dead
//
// Invariant: `generation` changes only when a rebalance completes, and every
// member present in CompletingRebalance or Stable joined in that generation.
// Group holds data only; GroupCoordinator drives the transitions under its lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"

namespace sluice::broker {

enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };
const char* state_name(GroupState state);

struct JoinResult {
  int16_t error = 0;
  int32_t generation = -1;
  std::string protocol_type;  // the group's, when error is 0
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  // Only the leader receives every member's metadata, to compute the assignment.
  std::vector<std::tuple<std::string, std::optional<std::string>, Bytes>> members;
};

struct Member {
  std::string id;
  std::optional<std::string> instance_id;  // static membership (group.instance.id)
  std::string client_id;
  std::string client_host;
  std::vector<std::pair<std::string, Bytes>> protocols;  // in the member's preference order
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  int64_t last_seen_ms = 0;  // monotonic
  Bytes assignment;
  bool awaiting_join = false;  // a JoinGroup call is parked for this member
  bool awaiting_sync = false;  // a SyncGroup call is parked for this member
  std::optional<JoinResult> join_result;

  const Bytes* metadata_for(const std::string& protocol) const;
};

struct Group {
  std::string id;
  GroupState state = GroupState::kEmpty;
  int32_t generation = 0;
  std::string protocol_type;
  std::string protocol_name;
  std::string leader;
  std::map<std::string, Member> members;
  std::map<std::string, std::string> static_members;  // instance id -> member id
  int64_t rebalance_deadline_ms = 0;
  int64_t initial_delay_until_ms = 0;

  // The protocol every member supports that members rank highest overall; "" when none.
  std::string choose_protocol() const;
  // True when `protocols` shares at least one protocol with every current member.
  bool supports(const std::vector<std::pair<std::string, Bytes>>& protocols) const;
  void remove_member(const std::string& member_id);
  int32_t max_rebalance_timeout_ms() const;
};

// Topics a member subscribed to, read from the "consumer" protocol's metadata
// (version, [topic], user data). Empty if the metadata is not of that shape.
std::vector<std::string> subscribed_topics(const Bytes& metadata);

}  // namespace sluice::broker
