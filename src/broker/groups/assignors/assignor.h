// What a KIP-848 server-side assignor reads and writes. An assignor is a pure
// function: given every member's subscription (resolved to existing topics), the
// topics' partition counts and the previous target assignment, it returns the
// new target assignment.
//
// Invariant of every assignor's answer: each partition of a subscribed topic is
// given to exactly one member subscribed to that topic, and to no one else; a
// member subscribed to nothing, or to topics that do not exist, gets nothing.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "common/uuid.h"

namespace sluice::broker {

// Partitions by topic id; a topic with no partitions listed is never kept.
using PartitionSet = std::map<Uuid, std::set<int32_t>>;

struct AssignorTopic {
  Uuid id;
  int32_t partitions = 0;
  bool operator==(const AssignorTopic&) const = default;
};

struct AssignmentSpec {
  std::map<std::string, std::set<std::string>> subscriptions;  // member id -> topic names
  std::map<std::string, AssignorTopic> topics;                 // by name: the subscribed ones
  std::map<std::string, PartitionSet> previous;                // member id -> its last target
};

using TargetAssignment = std::map<std::string, PartitionSet>;  // member id -> partitions

// `uniform` (Kafka's default): spreads all partitions so member counts differ by at
// most one among members that could take them, keeping each partition where it was
// when that stays balanced.
TargetAssignment assign_uniform(const AssignmentSpec& spec);
// `range`: per topic, its subscribers in member-id order take contiguous ranges
// of its partitions, the first ones one more when the count does not divide.
TargetAssignment assign_range(const AssignmentSpec& spec);

// The assignor a client names in group.remote.assignor; nullptr when unknown.
using Assignor = TargetAssignment (*)(const AssignmentSpec&);
Assignor find_assignor(std::string_view name);

size_t partition_count(const PartitionSet& s);

}  // namespace sluice::broker
