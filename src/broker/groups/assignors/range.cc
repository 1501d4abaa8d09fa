// The range assignor: each topic on its own, its subscribers sorted by member id,
// partitions split into contiguous ranges. Deterministic, so members subscribed to
// the same topics with equal partition counts get matching (co-partitioned) ranges.
#include <vector>

#include "broker/groups/assignors/assignor.h"

namespace sluice::broker {

TargetAssignment assign_range(const AssignmentSpec& spec) {
  TargetAssignment out;
  for (const auto& [member, topics] : spec.subscriptions) out[member];
  for (const auto& [name, topic] : spec.topics) {
    std::vector<std::string> subscribers;  // in member-id order: subscriptions is a map
    for (const auto& [member, topics] : spec.subscriptions)
      if (topics.count(name)) subscribers.push_back(member);
    if (subscribers.empty() || topic.partitions <= 0) continue;
    int32_t n = int32_t(subscribers.size());
    int32_t base = topic.partitions / n, extra = topic.partitions % n, next = 0;
    for (int32_t i = 0; i < n; ++i) {
      int32_t count = base + (i < extra ? 1 : 0);
      for (int32_t k = 0; k < count; ++k) out[subscribers[i]][topic.id].insert(next++);
    }
  }
  return out;
}

}  // namespace sluice::broker
