#include "broker/groups/reconciliation.h"

namespace sluice::broker {
namespace {

bool intersects(const PartitionSet& a, const PartitionSet& b) {
  for (const auto& [topic, partitions] : a)
    for (int32_t p : partitions)
      if (contains(b, topic, p)) return true;
  return false;
}

void add(PartitionSet& s, const Uuid& topic, int32_t partition) {
  s[topic].insert(partition);
}

}  // namespace

const char* member_state_name(MemberState s) {
  switch (s) {
    case MemberState::kStable:
      return "stable";
    case MemberState::kUnrevokedPartitions:
      return "unrevoked_partitions";
    case MemberState::kUnreleasedPartitions:
      return "unreleased_partitions";
  }
  return "unknown";
}

bool contains(const PartitionSet& s, const Uuid& topic, int32_t partition) {
  auto it = s.find(topic);
  return it != s.end() && it->second.count(partition);
}

bool is_subset(const PartitionSet& part, const PartitionSet& whole) {
  for (const auto& [topic, partitions] : part)
    for (int32_t p : partitions)
      if (!contains(whole, topic, p)) return false;
  return true;
}

MemberAssignment reconcile(const MemberAssignment& current, int32_t target_epoch,
                           const PartitionSet& target, const std::optional<PartitionSet>& owned,
                           const HeldByOther& held_by_other) {
  MemberAssignment m = current;
  if (m.state == MemberState::kUnrevokedPartitions) {
    // Still waiting: the member has not said it let go of what it must revoke.
    if (!owned || intersects(*owned, m.pending_revocation)) return m;
    m.pending_revocation.clear();
  } else if (m.state == MemberState::kStable && m.member_epoch == target_epoch) {
    return m;
  }

  PartitionSet kept, revoke, assignable;
  bool unreleased = false;
  for (const auto& [topic, partitions] : m.assigned)
    for (int32_t p : partitions) add(contains(target, topic, p) ? kept : revoke, topic, p);
  if (!revoke.empty()) {
    m.assigned = std::move(kept);
    m.pending_revocation = std::move(revoke);
    m.state = MemberState::kUnrevokedPartitions;
    return m;  // the epoch stays until the member revokes
  }
  for (const auto& [topic, partitions] : target) {
    for (int32_t p : partitions) {
      if (contains(kept, topic, p)) continue;
      if (held_by_other(topic, p)) {
        unreleased = true;
      } else {
        add(assignable, topic, p);
      }
    }
  }
  for (const auto& [topic, partitions] : assignable)
    kept[topic].insert(partitions.begin(), partitions.end());
  if (m.member_epoch != target_epoch) {
    m.previous_member_epoch = m.member_epoch;
    m.member_epoch = target_epoch;
  }
  m.assigned = std::move(kept);
  m.state = unreleased ? MemberState::kUnreleasedPartitions : MemberState::kStable;
  return m;
}

}  // namespace sluice::broker
