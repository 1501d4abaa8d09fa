#include "broker/groups/group.h"

#include <algorithm>

namespace sluice::broker {

const char* state_name(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Unknown";
}

const Bytes* Member::metadata_for(const std::string& protocol) const {
  for (const auto& [name, metadata] : protocols) {
    if (name == protocol) return &metadata;
  }
  return nullptr;
}

std::string Group::choose_protocol() const {
  // Candidates are the protocols all members support; each member votes for
  // its most preferred candidate, as Kafka's coordinator does.
  std::map<std::string, int> votes;
  if (members.empty()) return "";
  for (const auto& [name, metadata] : members.begin()->second.protocols) {
    bool everyone = std::all_of(members.begin(), members.end(), [&name = name](const auto& m) {
      return m.second.metadata_for(name);
    });
    if (everyone) votes[name] = 0;
  }
  if (votes.empty()) return "";
  for (const auto& [member_id, m] : members) {
    for (const auto& [name, metadata] : m.protocols) {
      if (votes.count(name)) {
        ++votes[name];
        break;
      }
    }
  }
  // Ties go to the first member's preference order.
  std::string best;
  int best_votes = -1;
  for (const auto& [name, metadata] : members.begin()->second.protocols) {
    if (votes.count(name) && votes[name] > best_votes) {
      best = name;
      best_votes = votes[name];
    }
  }
  return best;
}

bool Group::supports(const std::vector<std::pair<std::string, Bytes>>& protocols) const {
  for (const auto& [member_id, m] : members) {
    bool shared = std::any_of(protocols.begin(), protocols.end(),
                              [&m = m](const auto& p) { return m.metadata_for(p.first); });
    if (!shared) return false;
  }
  return true;
}

void Group::remove_member(const std::string& member_id) {
  auto it = members.find(member_id);
  if (it == members.end()) return;
  if (it->second.instance_id) static_members.erase(*it->second.instance_id);
  members.erase(it);
  if (leader == member_id) leader = members.empty() ? "" : members.begin()->first;
}

int32_t Group::max_rebalance_timeout_ms() const {
  int32_t t = 0;
  for (const auto& [member_id, m] : members) t = std::max(t, m.rebalance_timeout_ms);
  return t;
}

std::vector<std::string> subscribed_topics(const Bytes& metadata) {
  std::vector<std::string> topics;
  try {
    ByteReader r(metadata);
    r.i16();  // version
    int32_t n = r.i32();
    if (n < 0 || size_t(n) > r.remaining()) return {};
    for (int32_t i = 0; i < n; ++i) {
      int16_t len = r.i16();
      if (len < 0) return {};
      topics.emplace_back(r.view(size_t(len)));
    }
  } catch (const DecodeError&) {
    return {};
  }
  return topics;
}

}  // namespace sluice::broker
