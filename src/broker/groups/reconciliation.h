// KIP-848 incremental reconciliation of one member towards its target assignment.
//
//   Stable --target changed, member owns partitions not in it--> UnrevokedPartitions
//   UnrevokedPartitions --member reports it no longer owns them--> (recompute)
//   (recompute) --some target partitions still owned by others--> UnreleasedPartitions
//   (recompute) --every target partition free--> Stable
//   UnreleasedPartitions --each heartbeat--> (recompute): freed partitions are added
//
// Invariants, which make the rebalance incremental and never double-assign:
// - a partition is in at most one member's `assigned` or `pending_revocation`;
//   one still pending revocation is not given to anyone else;
// - the member epoch moves to the target epoch only when the member holds no
//   partition outside the target (it revoked first, at its old epoch);
// - `assigned` only grows by partitions no other member holds.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "broker/groups/assignors/assignor.h"

namespace sluice::broker {

enum class MemberState { kStable, kUnrevokedPartitions, kUnreleasedPartitions };
const char* member_state_name(MemberState s);

struct MemberAssignment {
  int32_t member_epoch = 0;
  int32_t previous_member_epoch = -1;
  MemberState state = MemberState::kStable;
  PartitionSet assigned;            // what the member may own now
  PartitionSet pending_revocation;  // what it must give up before it gets more
};

// Whether a partition is held (assigned or pending revocation) by another member.
using HeldByOther = std::function<bool(const Uuid& topic, int32_t partition)>;

// One reconciliation step. `owned` is what the member's heartbeat says it owns
// (null: unchanged since the last one); `target` is its target at `target_epoch`.
MemberAssignment reconcile(const MemberAssignment& current, int32_t target_epoch,
                           const PartitionSet& target, const std::optional<PartitionSet>& owned,
                           const HeldByOther& held_by_other);

bool contains(const PartitionSet& s, const Uuid& topic, int32_t partition);
// Whether every partition of `part` is in `whole`.
bool is_subset(const PartitionSet& part, const PartitionSet& whole);

}  // namespace sluice::broker
