#include "broker/groups/consumer_group.h"

#include <algorithm>

#include "broker/protocol/errors.h"
#include "common/log.h"
#include "common/uuid.h"

namespace sluice::broker {
namespace {

using protocol::code;
using protocol::ErrorCode;

ConsumerHeartbeatResult failure(ErrorCode e, std::string message) {
  ConsumerHeartbeatResult r;
  r.error = code(e);
  r.message = std::move(message);
  return r;
}

// Kafka's epoch rule: an epoch ahead of the member's is fenced; one behind is
// accepted only as the previous epoch of a member whose owned partitions are all
// still assigned to it (its answer to the last heartbeat was lost).
int16_t check_epoch(const ConsumerMember& m, int32_t epoch,
                    const std::optional<PartitionSet>& owned) {
  const MemberAssignment& a = m.assignment;
  if (epoch == a.member_epoch) return 0;
  if (epoch < a.member_epoch && epoch == a.previous_member_epoch && owned &&
      is_subset(*owned, a.assigned))
    return 0;
  return code(ErrorCode::kFencedMemberEpoch);
}

}  // namespace

ConsumerGroup::ConsumerGroup(std::string id, ConsumerGroupOptions options)
    : id_(std::move(id)), options_(std::move(options)), assignor_(options_.default_assignor) {}

std::string ConsumerGroup::state() const {
  if (members_.empty()) return "Empty";
  if (group_epoch_ > assignment_epoch_) return "Assigning";
  for (const auto& [id, m] : members_) {
    if (m.assignment.member_epoch != assignment_epoch_ ||
        m.assignment.state != MemberState::kStable)
      return "Reconciling";
  }
  return "Stable";
}

const PartitionSet& ConsumerGroup::target_of(const std::string& member_id) const {
  static const PartitionSet kNone;
  auto it = target_.find(member_id);
  return it == target_.end() ? kNone : it->second;
}

std::map<std::string, AssignorTopic> ConsumerGroup::subscribed_topics(
    const TopicCatalog& topics) const {
  std::map<std::string, AssignorTopic> out;
  for (const auto& [id, m] : members_) {
    for (const auto& name : m.subscribed_names) {
      auto it = topics.find(name);
      if (it != topics.end()) out.insert(*it);
    }
    if (!m.compiled_regex) continue;
    for (const auto& [name, topic] : topics)
      if (std::regex_match(name, *m.compiled_regex)) out.emplace(name, topic);
  }
  return out;
}

ConsumerHeartbeatResult ConsumerGroup::leave(const ConsumerHeartbeat& hb) {
  auto it = members_.find(hb.member_id);
  if (it == members_.end())
    return failure(ErrorCode::kUnknownMemberId,
                   "member " + hb.member_id + " is not in group " + id_);
  ConsumerHeartbeatResult r;
  r.member_id = hb.member_id;
  r.member_epoch = hb.member_epoch;
  if (hb.member_epoch == -2 && it->second.instance_id) {
    // A static member leaving for now keeps its partitions until its session
    // expires, so that the same instance rejoining takes them back unchanged.
    it->second.left_for_now = true;
    log::info("groups", "group '{}': static member '{}' left for now", id_,
              *it->second.instance_id);
    return r;
  }
  remove_member(hb.member_id, "left the group");
  return r;
}

void ConsumerGroup::remove_member(const std::string& member_id, const char* why) {
  auto it = members_.find(member_id);
  if (it == members_.end()) return;
  if (it->second.instance_id) static_members_.erase(*it->second.instance_id);
  members_.erase(it);
  target_.erase(member_id);
  ++group_epoch_;
  log::info("groups", "group '{}': member {} {}; group epoch {}", id_, member_id, why,
            group_epoch_);
}

ConsumerHeartbeatResult ConsumerGroup::join_or_find(const ConsumerHeartbeat& hb,
                                                    ConsumerMember*& out, bool& full,
                                                    bool& created) {
  std::string member_id = hb.member_id;
  if (hb.member_epoch != 0) {
    auto it = members_.find(member_id);
    if (it == members_.end())
      return failure(ErrorCode::kUnknownMemberId,
                     "member " + member_id + " is not in group " + id_ + "; rejoin with epoch 0");
    if (int16_t err = check_epoch(it->second, hb.member_epoch, hb.owned)) {
      ConsumerHeartbeatResult r;
      r.error = err;
      r.message = "member epoch " + std::to_string(hb.member_epoch) +
                  " is fenced (the member's is " +
                  std::to_string(it->second.assignment.member_epoch) + "); rejoin with epoch 0";
      return r;
    }
    out = &it->second;
    return {};
  }
  full = true;
  if (member_id.empty()) member_id = Uuid::random_v4().to_string();  // v0: the coordinator names it
  if (hb.instance_id) {
    auto s = static_members_.find(*hb.instance_id);
    if (s != static_members_.end() && s->second != member_id) {
      ConsumerMember& old = members_.at(s->second);
      if (!old.left_for_now)
        return failure(ErrorCode::kUnreleasedInstanceId, "instance id '" + *hb.instance_id +
                                                             "' is still used by member " + old.id +
                                                             "; it must leave first");
      // The instance comes back under a new member id: it takes over the old
      // member's place and partitions, at the epoch they were given.
      ConsumerMember m = std::move(old);
      members_.erase(s->second);
      target_[member_id] = std::move(target_[m.id]);
      target_.erase(m.id);
      m.id = member_id;
      m.left_for_now = false;
      s->second = member_id;
      out = &members_.emplace(member_id, std::move(m)).first->second;
      return {};
    }
  }
  auto it = members_.find(member_id);
  if (it == members_.end()) {
    if (!hb.subscribed_topic_names && !hb.subscribed_topic_regex)
      return failure(ErrorCode::kInvalidRequest,
                     "a member joining (epoch 0) must send SubscribedTopicNames or "
                     "SubscribedTopicRegex");
    ConsumerMember m;
    m.id = member_id;
    m.instance_id = hb.instance_id;
    if (hb.instance_id) static_members_[*hb.instance_id] = member_id;
    it = members_.emplace(member_id, std::move(m)).first;
    assignment_inputs_changed_ = created = true;
    log::info("groups", "group '{}': member {} joined", id_, member_id);
  }
  out = &it->second;
  return {};
}

ConsumerHeartbeatResult ConsumerGroup::update_subscription(ConsumerMember& m,
                                                           const ConsumerHeartbeat& hb) {
  bool changed = false;
  if (hb.subscribed_topic_names) {
    std::vector<std::string> names = *hb.subscribed_topic_names;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    changed |= names != m.subscribed_names;
    m.subscribed_names = std::move(names);
  }
  if (hb.subscribed_topic_regex) {
    std::optional<std::string> regex;
    if (!hb.subscribed_topic_regex->empty()) regex = hb.subscribed_topic_regex;
    if (regex != m.subscribed_regex) {
      try {
        m.compiled_regex = regex ? std::make_shared<const std::regex>(*regex) : nullptr;
      } catch (const std::regex_error& e) {
        return failure(ErrorCode::kInvalidRegularExpression,
                       "SubscribedTopicRegex '" + *regex + "' is not a valid regular expression (" +
                           e.what() + "); sluice reads it with ECMAScript syntax");
      }
      m.subscribed_regex = regex;
      changed = true;
    }
  }
  if (hb.server_assignor && *hb.server_assignor != m.server_assignor) {
    if (!hb.server_assignor->empty() && !find_assignor(*hb.server_assignor))
      return failure(ErrorCode::kUnsupportedAssignor,
                     "group.remote.assignor '" + *hb.server_assignor +
                         "' is not one of this broker's assignors: uniform, range");
    m.server_assignor = *hb.server_assignor;
    changed = true;
  }
  if (changed) {
    assignment_inputs_changed_ = true;
    log::info("groups", "group '{}': member {} changed its subscription or assignor", id_, m.id);
  }
  return {};
}

std::string ConsumerGroup::choose_assignor() const {
  // The assignor most members ask for; ties and silence go to the default.
  std::map<std::string, int> votes;
  for (const auto& [id, m] : members_)
    if (!m.server_assignor.empty()) ++votes[m.server_assignor];
  std::string best = options_.default_assignor;
  int best_votes = votes.count(best) ? votes[best] : 0;
  for (const auto& [name, n] : votes) {
    if (n > best_votes) {
      best = name;
      best_votes = n;
    }
  }
  return best;
}

void ConsumerGroup::refresh_target(const TopicCatalog& topics) {
  auto subscribed = subscribed_topics(topics);
  if (subscribed != topics_at_epoch_) {
    topics_at_epoch_ = std::move(subscribed);
    assignment_inputs_changed_ = true;
  }
  // One heartbeat moves the group epoch by one at most, whatever changed.
  if (assignment_inputs_changed_) {
    ++group_epoch_;
    assignment_inputs_changed_ = false;
    log::info("groups", "group '{}': group epoch {}", id_, group_epoch_);
  }
  if (group_epoch_ == assignment_epoch_) return;
  AssignmentSpec spec;
  for (const auto& [id, m] : members_) {
    auto& mine = spec.subscriptions[id];
    for (const auto& [name, topic] : topics_at_epoch_) {
      bool named = std::binary_search(m.subscribed_names.begin(), m.subscribed_names.end(), name);
      if (named || (m.compiled_regex && std::regex_match(name, *m.compiled_regex)))
        mine.insert(name);
    }
  }
  spec.topics = topics_at_epoch_;
  spec.previous = target_;
  assignor_ = choose_assignor();
  target_ = find_assignor(assignor_)(spec);
  assignment_epoch_ = group_epoch_;
  log::info("groups", "group '{}': target assignment at epoch {} by '{}' for {} member(s)", id_,
            assignment_epoch_, assignor_, members_.size());
}

bool ConsumerGroup::held_by_other(const std::string& member_id, const Uuid& topic,
                                  int32_t partition) const {
  for (const auto& [id, m] : members_) {
    if (id == member_id) continue;
    if (contains(m.assignment.assigned, topic, partition) ||
        contains(m.assignment.pending_revocation, topic, partition))
      return true;
  }
  return false;
}

ConsumerHeartbeatResult ConsumerGroup::heartbeat(const ConsumerHeartbeat& hb,
                                                 const TopicCatalog& topics, int64_t now_ms) {
  if (hb.member_epoch == -1 || hb.member_epoch == -2) return leave(hb);
  if (hb.member_epoch < -2)
    return failure(ErrorCode::kInvalidRequest, "MemberEpoch " + std::to_string(hb.member_epoch) +
                                                   " is not -2, -1, 0 or a "
                                                   "member's epoch");
  ConsumerMember* m = nullptr;
  bool full = false;  // a joining member gets its whole assignment in every case
  bool created = false;
  if (auto r = join_or_find(hb, m, full, created); r.error) return r;
  if (auto r = update_subscription(*m, hb); r.error) {
    if (created) {  // refused as it joined: as if it never had
      if (m->instance_id) static_members_.erase(*m->instance_id);
      members_.erase(m->id);
      assignment_inputs_changed_ = false;
    }
    return r;
  }
  m->client_id = hb.client_id;
  m->client_host = hb.client_host;
  if (hb.rack_id) m->rack_id = hb.rack_id;
  if (hb.rebalance_timeout_ms >= 0) m->rebalance_timeout_ms = hb.rebalance_timeout_ms;
  m->last_seen_ms = now_ms;

  refresh_target(topics);
  // A member joining (epoch 0) owns nothing, whatever its record says.
  std::optional<PartitionSet> owned =
      full ? std::optional(hb.owned.value_or(PartitionSet{})) : hb.owned;
  MemberAssignment before = m->assignment;
  const std::string id = m->id;
  m->assignment = reconcile(before, assignment_epoch_, target_of(id), owned,
                            [&](const Uuid& t, int32_t p) { return held_by_other(id, t, p); });
  if (m->assignment.state == MemberState::kUnrevokedPartitions &&
      before.state != MemberState::kUnrevokedPartitions)
    m->revocation_deadline_ms = now_ms + m->rebalance_timeout_ms;

  ConsumerHeartbeatResult r;
  r.member_id = id;
  r.member_epoch = m->assignment.member_epoch;
  r.heartbeat_interval_ms = options_.heartbeat_interval_ms;
  if (full || hb.owned || m->assignment.member_epoch != before.member_epoch ||
      m->assignment.assigned != before.assigned)
    r.assignment = m->assignment.assigned;
  return r;
}

bool ConsumerGroup::expire(int64_t now_ms) {
  std::vector<std::pair<std::string, const char*>> gone;
  for (const auto& [id, m] : members_) {
    if (now_ms - m.last_seen_ms > options_.session_timeout_ms) {
      gone.emplace_back(id, "sent no heartbeat within the session timeout; removed");
    } else if (m.assignment.state == MemberState::kUnrevokedPartitions &&
               now_ms > m.revocation_deadline_ms) {
      gone.emplace_back(id, "did not revoke its partitions within its rebalance timeout; removed");
    }
  }
  for (const auto& [id, why] : gone) remove_member(id, why);
  return !gone.empty();
}

int16_t ConsumerGroup::check_member_epoch(const std::string& member_id, int32_t epoch) const {
  auto it = members_.find(member_id);
  if (it == members_.end()) return code(ErrorCode::kUnknownMemberId);
  int32_t current = it->second.assignment.member_epoch;
  if (epoch > current) return code(ErrorCode::kFencedMemberEpoch);
  if (epoch < current) return code(ErrorCode::kStaleMemberEpoch);
  return 0;
}

}  // namespace sluice::broker
