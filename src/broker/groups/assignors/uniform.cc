// The uniform assignor, sticky: partitions stay with their previous owner while it
// is still subscribed; the rest go one by one to the eligible member holding the
// fewest; then partitions move from a member to an eligible one holding at least
// two fewer until no such move exists. Each move lowers the sum of squared counts,
// so the loop ends; at the end no partition can move to even out the counts.
#include <algorithm>
#include <vector>

#include "broker/groups/assignors/assignor.h"

namespace sluice::broker {
namespace {

struct Slot {
  Uuid topic;
  std::string topic_name;
  int32_t partition;
};

bool subscribed(const AssignmentSpec& spec, const std::string& member, const std::string& topic) {
  auto it = spec.subscriptions.find(member);
  return it != spec.subscriptions.end() && it->second.count(topic);
}

// The previous owner of a partition, if it is still subscribed to the topic.
const std::string* sticky_owner(const AssignmentSpec& spec, const Slot& s) {
  for (const auto& [member, partitions] : spec.previous) {
    auto it = partitions.find(s.topic);
    if (it != partitions.end() && it->second.count(s.partition) &&
        subscribed(spec, member, s.topic_name))
      return &member;
  }
  return nullptr;
}

}  // namespace

TargetAssignment assign_uniform(const AssignmentSpec& spec) {
  TargetAssignment out;
  std::map<std::string, size_t> count;
  for (const auto& [member, topics] : spec.subscriptions) {
    out[member];
    count[member] = 0;
  }
  std::vector<Slot> slots;
  for (const auto& [name, topic] : spec.topics)
    for (int32_t p = 0; p < topic.partitions; ++p) slots.push_back({topic.id, name, p});

  std::map<std::pair<Uuid, int32_t>, std::string> owner;
  std::vector<const Slot*> unowned;
  for (const Slot& s : slots) {
    if (const std::string* m = sticky_owner(spec, s)) {
      owner[{s.topic, s.partition}] = *m;
      ++count[*m];
    } else {
      unowned.push_back(&s);
    }
  }
  auto least_loaded = [&](const Slot& s) -> const std::string* {
    const std::string* best = nullptr;
    for (const auto& [member, n] : count)
      if (subscribed(spec, member, s.topic_name) && (!best || n < count[*best])) best = &member;
    return best;
  };
  for (const Slot* s : unowned) {
    if (const std::string* m = least_loaded(*s)) {
      owner[{s->topic, s->partition}] = *m;
      ++count[*m];
    }
  }
  // Even out: move a partition from a member to an eligible one with >= 2 fewer.
  for (bool moved = true; moved;) {
    moved = false;
    for (const Slot& s : slots) {
      auto it = owner.find({s.topic, s.partition});
      if (it == owner.end()) continue;
      const std::string* to = least_loaded(s);
      if (to && count[*to] + 1 < count[it->second]) {
        --count[it->second];
        ++count[*to];
        it->second = *to;
        moved = true;
      }
    }
  }
  for (const auto& [tp, member] : owner) out[member][tp.first].insert(tp.second);
  return out;
}

}  // namespace sluice::broker
