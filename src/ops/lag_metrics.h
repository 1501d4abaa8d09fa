// Consumer-group lag as the broker sees it, as Prometheus families: one
// vocabulary for every source that can measure it (the built-in broker from
// its own offset and topic stores, `sluice exporter` through a Kafka client
// against any cluster), so the same alert rules and dashboards work with both.
//
// Invariant: the families depend only on the snapshot, never on which source
// measured it; every family is present (possibly with no samples) so a page
// always names them. Lag is never negative; lag_seconds is absent for a
// partition whose oldest unconsumed record could not be read (deleted,
// unreadable in time), rather than a made-up value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ops/metrics.h"

namespace sluice::ops {

struct PartitionLagSample {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  std::optional<int64_t> committed;  // nullopt: the group has no commit here
  int64_t log_end = 0;
  int64_t lag = 0;                    // records not yet consumed
  std::optional<double> lag_seconds;  // age of the oldest of them; 0 when lag is 0
};

struct GroupStateSample {
  std::string group;
  std::string state;  // Kafka's names: Empty, PreparingRebalance, CompletingRebalance, Stable, Dead
  int64_t members = 0;
};

struct LagSnapshot {
  std::vector<GroupStateSample> groups;
  std::vector<PartitionLagSample> partitions;
};

// The group states sluice_group_state enumerates (one 0/1 series each).
const std::vector<std::string>& group_states();

// sluice_group_committed_offset, sluice_group_log_end_offset, sluice_group_lag,
// sluice_group_lag_seconds {consumer_group, topic, partition};
// sluice_group_state {consumer_group, state}; sluice_group_members {consumer_group}.
std::vector<CollectedFamily> lag_families(const LagSnapshot& snapshot);

}  // namespace sluice::ops
