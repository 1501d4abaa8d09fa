#include "ops/lag_metrics.h"

#include <algorithm>

namespace sluice::ops {

const std::vector<std::string>& group_states() {
  static const std::vector<std::string> states = {"Empty", "PreparingRebalance",
                                                  "CompletingRebalance", "Stable", "Dead"};
  return states;
}

namespace {

CollectedFamily gauge(std::string name, std::string help) {
  return CollectedFamily{.name = std::move(name), .help = std::move(help), .samples = {}};
}

Labels partition_labels(const PartitionLagSample& p) {
  return {
      {"consumer_group", p.group}, {"topic", p.topic}, {"partition", std::to_string(p.partition)}};
}

}  // namespace

std::vector<CollectedFamily> lag_families(const LagSnapshot& snapshot) {
  CollectedFamily committed =
      gauge("sluice_group_committed_offset",
            "Offset the consumer group committed on the partition (the next record it will read)");
  CollectedFamily log_end =
      gauge("sluice_group_log_end_offset",
            "Log end offset of a partition the consumer group reads (offset of the next record "
            "produced)");
  CollectedFamily lag =
      gauge("sluice_group_lag",
            "Records of the partition the consumer group has not consumed, seen from the broker");
  CollectedFamily lag_seconds = gauge(
      "sluice_group_lag_seconds",
      "Age in seconds of the oldest record the consumer group has not consumed (0 without lag)");
  for (const PartitionLagSample& p : snapshot.partitions) {
    const Labels labels = partition_labels(p);
    if (p.committed) committed.samples.emplace_back(labels, double(*p.committed));
    log_end.samples.emplace_back(labels, double(p.log_end));
    lag.samples.emplace_back(labels, double(std::max<int64_t>(p.lag, 0)));
    if (p.lag_seconds) lag_seconds.samples.emplace_back(labels, std::max(0.0, *p.lag_seconds));
  }

  CollectedFamily state =
      gauge("sluice_group_state", "1 for the consumer group's current state, 0 for the others");
  CollectedFamily members =
      gauge("sluice_group_members", "Members of the consumer group (processes in it)");
  for (const GroupStateSample& g : snapshot.groups) {
    for (const std::string& s : group_states()) {
      state.samples.push_back(
          {{{"consumer_group", g.group}, {"state", s}}, g.state == s ? 1.0 : 0.0});
    }
    members.samples.push_back({{{"consumer_group", g.group}}, double(g.members)});
  }
  std::vector<CollectedFamily> out;
  for (CollectedFamily* f : {&committed, &log_end, &lag, &lag_seconds, &state, &members})
    out.push_back(std::move(*f));
  return out;
}

}  // namespace sluice::ops
