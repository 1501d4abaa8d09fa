#include "broker/groups/group_coordinator.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "broker/protocol/errors.h"
#include "common/clock.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

using protocol::code;
using protocol::ErrorCode;

std::string new_member_id(const std::string& client_id) {
  static std::mt19937_64 rng{std::random_device{}()};
  static std::mutex mu;
  std::lock_guard lock(mu);
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, "%016llx%016llx", (unsigned long long)rng(),
                (unsigned long long)rng());
  return (client_id.empty() ? "member" : client_id) + "-" + suffix;
}

JoinResult join_error(int16_t error) {
  JoinResult r;
  r.error = error;
  return r;
}
JoinResult join_error(ErrorCode error) {
  return join_error(code(error));
}

SyncResult sync_error(int16_t error) {
  SyncResult r;
  r.error = error;
  return r;
}
SyncResult sync_error(ErrorCode error) {
  return sync_error(code(error));
}

// A SyncGroup v5+ naming another protocol type or name than the group's is refused
// (KIP-559); an unnamed one (null: older versions) always agrees.
bool inconsistent(const std::optional<std::string>& said, const std::string& group_has) {
  return said && *said != group_has;
}

// " (REASON)" for a log line, when the client gave one (JoinGroup v8+, LeaveGroup v5+).
std::string because(const std::optional<std::string>& reason) {
  return reason && !reason->empty() ? " (" + *reason + ")" : "";
}

}  // namespace

GroupCoordinator::GroupCoordinator(OffsetStore& offsets, CoordinatorOptions options)
    : offsets_(offsets), options_(options) {}

Group& GroupCoordinator::group(const std::string& id) {
  Group& g = groups_[id];
  g.id = id;
  if (g.state == GroupState::kDead) g.state = GroupState::kEmpty;
  return g;
}

Group* GroupCoordinator::find(const std::string& id) {
  auto it = groups_.find(id);
  return it == groups_.end() ? nullptr : &it->second;
}

void GroupCoordinator::prepare_rebalance(Group& g, std::string_view reason) {
  if (g.state == GroupState::kPreparingRebalance) return;
  log::info("groups", "group '{}' rebalancing (generation {}): {}", g.id, g.generation, reason);
  int64_t now = mono_ms();
  // A group starting from empty waits a little for more members, so a fleet
  // starting together rebalances once rather than once per member.
  if (g.state == GroupState::kEmpty)
    g.initial_delay_until_ms = now + options_.initial_rebalance_delay_ms;
  g.state = GroupState::kPreparingRebalance;
  g.rebalance_deadline_ms = now + g.max_rebalance_timeout_ms();
  changed_.notify_all();  // parked SyncGroups learn of the rebalance
}

void GroupCoordinator::maybe_complete_join(Group& g) {
  if (g.state != GroupState::kPreparingRebalance) return;
  int64_t now = mono_ms();
  bool all_joined = true;
  for (const auto& [id, m] : g.members) all_joined = all_joined && m.awaiting_join;
  bool time_up = now >= g.rebalance_deadline_ms;
  if (!(all_joined && now >= g.initial_delay_until_ms) && !time_up) return;

  std::vector<std::string> late;
  for (const auto& [id, m] : g.members) {
    if (!m.awaiting_join) late.push_back(id);
  }
  for (const auto& id : late) {
    log::info("groups",
              "group '{}': member {} did not rejoin within the rebalance timeout; removed", g.id,
              id);
    g.remove_member(id);
  }
  ++g.generation;
  if (g.members.empty()) {
    g.state = GroupState::kEmpty;
    g.protocol_name.clear();
    changed_.notify_all();
    return;
  }
  g.protocol_name = g.choose_protocol();
  if (!g.members.count(g.leader)) g.leader = g.members.begin()->first;
  g.state = GroupState::kCompletingRebalance;
  for (auto& [id, m] : g.members) {
    JoinResult r;
    r.generation = g.generation;
    r.protocol_type = g.protocol_type;
    r.protocol_name = g.protocol_name;
    r.leader = g.leader;
    r.member_id = id;
    if (id == g.leader) {
      for (const auto& [other_id, other] : g.members) {
        r.members.emplace_back(other_id, other.instance_id, *other.metadata_for(g.protocol_name));
      }
    }
    m.join_result = std::move(r);
    m.awaiting_join = false;
    m.assignment.clear();
    m.last_seen_ms = now;
  }
  log::info("groups", "group '{}' generation {}: {} member(s), protocol '{}', leader {}", g.id,
            g.generation, g.members.size(), g.protocol_name, g.leader);
  changed_.notify_all();
}

JoinResult GroupCoordinator::wait_for_join(std::unique_lock<std::mutex>& lock, Group& g,
                                           const std::string& member_id) {
  maybe_complete_join(g);
  changed_.wait(lock, [&] {
    auto it = g.members.find(member_id);
    return shutting_down_ || it == g.members.end() || it->second.join_result.has_value();
  });
  auto it = g.members.find(member_id);
  if (shutting_down_) return join_error(ErrorCode::kCoordinatorNotAvailable);
  if (it == g.members.end()) return join_error(ErrorCode::kUnknownMemberId);
  JoinResult r = std::move(*it->second.join_result);
  it->second.join_result.reset();
  return r;
}

JoinResult GroupCoordinator::static_rejoin(Group& g, const std::string& old_id,
                                           const JoinRequestArgs& args) {
  // A static member restarting takes a fresh member id but keeps its place and
  // assignment: no rebalance unless it led the group or changed its protocols.
  Member m = g.members.at(old_id);
  bool same_protocols = m.protocols == args.protocols;
  bool was_leader = g.leader == old_id;
  g.members.erase(old_id);
  m.id = new_member_id(args.client_id);
  m.client_id = args.client_id;
  m.client_host = args.client_host;
  m.session_timeout_ms = args.session_timeout_ms;
  m.rebalance_timeout_ms = args.rebalance_timeout_ms;
  m.last_seen_ms = mono_ms();
  m.protocols = args.protocols;
  m.awaiting_join = m.awaiting_sync = false;
  m.join_result.reset();
  g.static_members[*args.instance_id] = m.id;
  if (was_leader) g.leader = m.id;
  std::string id = m.id;
  g.members.emplace(id, std::move(m));
  changed_.notify_all();  // the old id is fenced: its parked calls must end
  if (g.state == GroupState::kStable && same_protocols && !was_leader) {
    log::info("groups", "group '{}': static member '{}' rejoined as {} without a rebalance", g.id,
              *args.instance_id, id);
    JoinResult r;
    r.generation = g.generation;
    r.protocol_type = g.protocol_type;
    r.protocol_name = g.protocol_name;
    r.leader = g.leader;
    r.member_id = id;
    return r;
  }
  return {};  // error 0 and generation -1: caller goes on to a normal rebalance
}

JoinResult GroupCoordinator::join(const JoinRequestArgs& args) {
  std::unique_lock lock(mu_);
  if (args.group_id.empty()) return join_error(ErrorCode::kInvalidGroupId);
  if (args.session_timeout_ms < options_.min_session_timeout_ms ||
      args.session_timeout_ms > options_.max_session_timeout_ms) {
    return join_error(ErrorCode::kInvalidSessionTimeout);
  }
  if (auto it = consumer_groups_.find(args.group_id); it != consumer_groups_.end()) {
    // Kafka 4 without online migration: a live consumer group refuses classic members.
    if (!it->second.empty()) return join_error(ErrorCode::kInconsistentGroupProtocol);
    consumer_groups_.erase(it);
  }
  Group& g = group(args.group_id);
  bool type_mismatch = !g.members.empty() && g.protocol_type != args.protocol_type;
  if (args.protocols.empty() || type_mismatch)
    return join_error(ErrorCode::kInconsistentGroupProtocol);

  std::string member_id = args.member_id;
  if (member_id.empty() && args.instance_id && g.static_members.count(*args.instance_id)) {
    JoinResult r = static_rejoin(g, g.static_members[*args.instance_id], args);
    if (r.generation >= 0) return r;
    member_id = g.static_members[*args.instance_id];
  }
  if (member_id.empty()) {
    member_id = new_member_id(args.client_id);
  } else if (!g.members.count(member_id)) {
    return join_error(ErrorCode::kUnknownMemberId);
  } else if (int16_t err = check_member(g, member_id, args.instance_id)) {
    return join_error(err);
  }
  bool is_new = !g.members.count(member_id);
  if (is_new && !g.supports(args.protocols))
    return join_error(ErrorCode::kInconsistentGroupProtocol);

  Member& m = g.members[member_id];
  m.id = member_id;
  m.instance_id = args.instance_id;
  if (args.instance_id) g.static_members[*args.instance_id] = member_id;
  m.client_id = args.client_id;
  m.client_host = args.client_host;
  m.protocols = args.protocols;
  m.session_timeout_ms = args.session_timeout_ms;
  m.rebalance_timeout_ms = args.rebalance_timeout_ms;
  m.last_seen_ms = mono_ms();
  m.awaiting_join = true;
  m.join_result.reset();
  g.protocol_type = args.protocol_type;
  prepare_rebalance(g, (is_new ? "a member joined" : "a member rejoined") + because(args.reason));
  return wait_for_join(lock, g, member_id);
}

int16_t GroupCoordinator::check_member(Group& g, const std::string& member_id,
                                       const std::optional<std::string>& instance_id) {
  if (instance_id) {
    auto it = g.static_members.find(*instance_id);
    if (it != g.static_members.end() && it->second != member_id)
      return code(ErrorCode::kFencedInstanceId);
  }
  if (!g.members.count(member_id)) return code(ErrorCode::kUnknownMemberId);
  return 0;
}

SyncResult GroupCoordinator::sync(const std::string& group_id, int32_t generation,
                                  const std::string& member_id,
                                  const std::optional<std::string>& instance_id,
                                  const std::vector<std::pair<std::string, Bytes>>& assignments,
                                  const SyncProtocol& protocol) {
  std::unique_lock lock(mu_);
  Group* g = find(group_id);
  if (!g) return sync_error(ErrorCode::kUnknownMemberId);
  if (int16_t err = check_member(*g, member_id, instance_id)) return sync_error(err);
  if (generation != g->generation) return sync_error(ErrorCode::kIllegalGeneration);
  if (inconsistent(protocol.type, g->protocol_type) ||
      inconsistent(protocol.name, g->protocol_name))
    return sync_error(ErrorCode::kInconsistentGroupProtocol);
  if (g->state == GroupState::kPreparingRebalance)
    return sync_error(ErrorCode::kRebalanceInProgress);
  Member& me = g->members.at(member_id);
  me.last_seen_ms = mono_ms();
  if (g->state == GroupState::kCompletingRebalance && member_id == g->leader) {
    for (const auto& [id, assignment] : assignments) {
      auto it = g->members.find(id);
      if (it != g->members.end()) it->second.assignment = assignment;
    }
    g->state = GroupState::kStable;
    log::info("groups", "group '{}' generation {} is stable", g->id, g->generation);
    changed_.notify_all();
  }
  me.awaiting_sync = true;
  changed_.wait(lock, [&] {
    return shutting_down_ || g->state != GroupState::kCompletingRebalance ||
           g->generation != generation || !g->members.count(member_id);
  });
  auto it = g->members.find(member_id);
  if (it == g->members.end()) return sync_error(ErrorCode::kUnknownMemberId);
  it->second.awaiting_sync = false;
  it->second.last_seen_ms = mono_ms();
  if (shutting_down_) return sync_error(ErrorCode::kCoordinatorNotAvailable);
  if (g->state != GroupState::kStable || g->generation != generation)
    return sync_error(ErrorCode::kRebalanceInProgress);
  return {0, it->second.assignment, g->protocol_type, g->protocol_name};
}

int16_t GroupCoordinator::heartbeat(const std::string& group_id, int32_t generation,
                                    const std::string& member_id,
                                    const std::optional<std::string>& instance_id) {
  std::lock_guard lock(mu_);
  Group* g = find(group_id);
  if (!g) return code(ErrorCode::kUnknownMemberId);
  if (int16_t err = check_member(*g, member_id, instance_id)) return err;
  g->members.at(member_id).last_seen_ms = mono_ms();
  if (g->state == GroupState::kPreparingRebalance) return code(ErrorCode::kRebalanceInProgress);
  if (generation != g->generation) return code(ErrorCode::kIllegalGeneration);
  return 0;
}

std::vector<int16_t> GroupCoordinator::leave(const std::string& group_id,
                                             const std::vector<LeavingMember>& members) {
  std::lock_guard lock(mu_);
  std::vector<int16_t> errors;
  Group* g = find(group_id);
  bool removed = false;
  for (const auto& [member_id, instance_id, reason] : members) {
    std::string id = member_id;
    if (instance_id && id.empty() && g && g->static_members.count(*instance_id))
      id = g->static_members[*instance_id];
    int16_t err = g ? check_member(*g, id, instance_id) : code(ErrorCode::kUnknownMemberId);
    if (err == 0) {
      log::info("groups", "group '{}': member {} left{}", group_id, id, because(reason));
      g->remove_member(id);
      removed = true;
    }
    errors.push_back(err);
  }
  if (removed) {
    prepare_rebalance(*g, "a member left");
    maybe_complete_join(*g);
    changed_.notify_all();
  }
  return errors;
}

void GroupCoordinator::expire_members(Group& g, int64_t now) {
  std::vector<std::string> expired;
  for (const auto& [id, m] : g.members) {
    bool parked = m.awaiting_join || m.awaiting_sync;
    if (!parked && now - m.last_seen_ms > m.session_timeout_ms) expired.push_back(id);
  }
  for (const auto& id : expired) {
    log::warn("groups",
              "group '{}': member {} sent no heartbeat within its session timeout; removed", g.id,
              id);
    g.remove_member(id);
  }
  if (!expired.empty()) prepare_rebalance(g, "a member's session expired");
}

void GroupCoordinator::tick() {
  std::lock_guard lock(mu_);
  int64_t now = mono_ms();
  for (auto& [id, g] : groups_) {
    expire_members(g, now);
    maybe_complete_join(g);
  }
  for (auto& [id, g] : consumer_groups_) g.expire(now);
}

void GroupCoordinator::shutdown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  changed_.notify_all();
}

int16_t GroupCoordinator::check_commit(const std::string& group_id, const CommitCheck& who) {
  std::lock_guard lock(mu_);
  if (group_id.empty()) return code(ErrorCode::kInvalidGroupId);
  if (auto it = consumer_groups_.find(group_id); it != consumer_groups_.end()) {
    // KIP-848 (OffsetCommit v9+): the generation field carries the member epoch.
    if (who.generation < 0 && who.member_id.empty())
      return it->second.empty() ? 0 : code(ErrorCode::kUnknownMemberId);
    return it->second.check_member_epoch(who.member_id, who.generation);
  }
  Group* g = find(group_id);
  bool active = g && !g->members.empty();
  // Standalone commits (no generation, no member: admin tools, assign()-only
  // consumers) are allowed only while no consumer owns the group's partitions.
  if (who.generation < 0 && who.member_id.empty())
    return active ? code(ErrorCode::kUnknownMemberId) : 0;
  if (!g) return code(ErrorCode::kUnknownMemberId);
  if (int16_t err = check_member(*g, who.member_id, who.instance_id)) return err;
  if (!who.transactional && g->state == GroupState::kPreparingRebalance)
    return code(ErrorCode::kRebalanceInProgress);
  if (who.generation != g->generation) return code(ErrorCode::kIllegalGeneration);
  g->members.at(who.member_id).last_seen_ms = mono_ms();
  return 0;
}

GroupDescription GroupCoordinator::describe(const std::string& group_id) {
  std::lock_guard lock(mu_);
  GroupDescription d;
  d.group_id = group_id;
  if (auto it = consumer_groups_.find(group_id); it != consumer_groups_.end()) {
    // As Kafka 4: DescribeGroups describes classic groups only; the admin client
    // falls back to it when ConsumerGroupDescribe answers GROUP_ID_NOT_FOUND.
    d.error = code(ErrorCode::kGroupIdNotFound);
    d.state = it->second.state();
    d.protocol_type = "consumer";
    return d;
  }
  Group* g = find(group_id);
  if (!g) {
    d.state = offsets_.has_group(group_id) ? "Empty" : "Dead";
    return d;
  }
  d.state = state_name(g->state);
  d.protocol_type = g->protocol_type;
  d.protocol_name = g->state == GroupState::kStable || g->state == GroupState::kCompletingRebalance
                        ? g->protocol_name
                        : "";
  for (const auto& [id, m] : g->members) {
    const Bytes* metadata = m.metadata_for(g->protocol_name);
    d.members.push_back({id, m.instance_id, m.client_id, m.client_host,
                         metadata ? *metadata : Bytes{}, m.assignment});
  }
  return d;
}

std::vector<ListedGroup> GroupCoordinator::list() {
  std::lock_guard lock(mu_);
  std::map<std::string, ListedGroup> all;
  // A group known only by its committed offsets has no members: Empty, as describe() says.
  for (const auto& id : offsets_.groups())
    all[id] = {id, "consumer", state_name(GroupState::kEmpty)};
  for (const auto& [id, g] : groups_) {
    if (g.state != GroupState::kDead && (!g.members.empty() || all.count(id)))
      all[id] = {id, g.protocol_type, state_name(g.state)};
  }
  for (const auto& [id, g] : consumer_groups_) all[id] = {id, "consumer", g.state(), "consumer"};
  std::vector<ListedGroup> out;
  for (auto& [id, listed] : all) out.push_back(std::move(listed));
  return out;
}

int16_t GroupCoordinator::delete_group(const std::string& group_id) {
  std::lock_guard lock(mu_);
  Group* g = find(group_id);
  if (g && !g->members.empty()) return code(ErrorCode::kNonEmptyGroup);
  auto consumer = consumer_groups_.find(group_id);
  if (consumer != consumer_groups_.end()) {
    if (!consumer->second.empty()) return code(ErrorCode::kNonEmptyGroup);
    consumer_groups_.erase(consumer);
  } else if (!g && !offsets_.has_group(group_id)) {
    return code(ErrorCode::kGroupIdNotFound);
  }
  offsets_.erase_group(group_id);
  if (g) g->state = GroupState::kDead;
  groups_.erase(group_id);
  log::info("groups", "group '{}' deleted", group_id);
  return 0;
}

int16_t GroupCoordinator::check_offset_delete(const std::string& group_id,
                                              const std::string& topic) {
  std::lock_guard lock(mu_);
  if (auto it = consumer_groups_.find(group_id); it != consumer_groups_.end()) {
    for (const auto& [id, m] : it->second.members()) {
      bool named = std::count(m.subscribed_names.begin(), m.subscribed_names.end(), topic) > 0;
      if (named || (m.compiled_regex && std::regex_match(topic, *m.compiled_regex)))
        return code(ErrorCode::kGroupSubscribedToTopic);
    }
    return 0;
  }
  Group* g = find(group_id);
  if (!g || g->members.empty()) return 0;
  for (const auto& [id, m] : g->members) {
    const Bytes* metadata = m.metadata_for(g->protocol_name);
    if (!metadata) continue;
    for (const auto& t : subscribed_topics(*metadata)) {
      if (t == topic) return code(ErrorCode::kGroupSubscribedToTopic);
    }
  }
  return 0;
}

ConsumerHeartbeatResult GroupCoordinator::consumer_heartbeat(const ConsumerHeartbeat& hb,
                                                             const TopicCatalog& topics) {
  std::lock_guard lock(mu_);
  ConsumerHeartbeatResult r;
  if (hb.group_id.empty()) {
    r.error = code(ErrorCode::kInvalidRequest);
    r.message = "GroupId is empty; name the group (group.id)";
    return r;
  }
  if (Group* classic = find(hb.group_id)) {
    if (!classic->members.empty()) {
      // Kafka 4 without online migration: a live classic group is not a consumer group.
      r.error = code(ErrorCode::kGroupIdNotFound);
      r.message = "group '" + hb.group_id +
                  "' is a classic group with members (group.protocol=classic); stop them or "
                  "use another group.id";
      return r;
    }
    groups_.erase(hb.group_id);
  }
  auto it = consumer_groups_.find(hb.group_id);
  if (it == consumer_groups_.end()) {
    if (hb.member_epoch != 0) {  // only a joining member creates a group
      r.error = code(ErrorCode::kUnknownMemberId);
      r.message = "group '" + hb.group_id +
                  "' has no members (the broker may have restarted); "
                  "rejoin with epoch 0";
      return r;
    }
    it = consumer_groups_.try_emplace(hb.group_id, hb.group_id, options_.consumer).first;
  }
  r = it->second.heartbeat(hb, topics, mono_ms());
  if (r.error && it->second.empty() && it->second.group_epoch() == 0) consumer_groups_.erase(it);
  return r;
}

std::optional<ConsumerGroup> GroupCoordinator::consumer_group(const std::string& group_id) {
  std::lock_guard lock(mu_);
  auto it = consumer_groups_.find(group_id);
  if (it == consumer_groups_.end()) return std::nullopt;
  return it->second;
}

int16_t GroupCoordinator::check_offset_fetch(const std::string& group_id,
                                             const std::optional<std::string>& member_id,
                                             int32_t member_epoch) {
  std::lock_guard lock(mu_);
  auto it = consumer_groups_.find(group_id);
  if (!member_id || member_id->empty() || it == consumer_groups_.end()) return 0;
  return it->second.check_member_epoch(*member_id, member_epoch);
}

}  // namespace sluice::broker
