// The KIP-848 server-side assignors (groups/assignors/): every partition of a
// subscribed topic goes to exactly one subscriber, counts are balanced, and the
// uniform assignor keeps partitions where they were when that stays balanced.
#include <gtest/gtest.h>

#include "broker/groups/assignors/assignor.h"

namespace sluice::broker {
namespace {

Uuid topic_id(uint8_t n) {
  Uuid id;
  id.bytes[15] = n;
  return id;
}

AssignmentSpec two_topics(std::vector<std::string> members) {
  AssignmentSpec spec;
  spec.topics["a"] = {topic_id(1), 6};
  spec.topics["b"] = {topic_id(2), 3};
  for (const auto& m : members) spec.subscriptions[m] = {"a", "b"};
  return spec;
}

// Each (topic, partition) of the spec's subscribed topics has exactly one owner,
// and that owner subscribes to the topic.
void expect_exactly_once(const AssignmentSpec& spec, const TargetAssignment& out) {
  for (const auto& [name, topic] : spec.topics) {
    for (int32_t p = 0; p < topic.partitions; ++p) {
      int owners = 0;
      for (const auto& [member, parts] : out) {
        auto it = parts.find(topic.id);
        if (it == parts.end() || !it->second.count(p)) continue;
        ++owners;
        EXPECT_TRUE(spec.subscriptions.at(member).count(name)) << member << " got " << name;
      }
      bool anyone = false;
      for (const auto& [member, topics] : spec.subscriptions) anyone |= topics.count(name) > 0;
      EXPECT_EQ(owners, anyone ? 1 : 0) << name << "-" << p;
    }
  }
}

TEST(UniformAssignor, SplitsEveryPartitionEvenlyAmongThreeMembers) {
  auto spec = two_topics({"m1", "m2", "m3"});
  auto out = assign_uniform(spec);
  expect_exactly_once(spec, out);
  for (const auto& [member, parts] : out) EXPECT_EQ(partition_count(parts), 3u) << member;
}

TEST(UniformAssignor, KeepsPartitionsWhereTheyWereWhenAMemberJoins) {
  auto spec = two_topics({"m1", "m2"});
  auto before = assign_uniform(spec);
  spec.subscriptions["m3"] = {"a", "b"};
  spec.previous = before;
  auto after = assign_uniform(spec);
  expect_exactly_once(spec, after);
  for (const auto& m : {"m1", "m2"}) {
    EXPECT_EQ(partition_count(after[m]), 3u);
    // Everything m1 and m2 keep, they already had: only moves to the newcomer.
    for (const auto& [topic, parts] : after[m])
      for (int32_t p : parts) EXPECT_TRUE(before[m][topic].count(p)) << m;
  }
  EXPECT_EQ(partition_count(after["m3"]), 3u);
}

TEST(UniformAssignor, GivesALeaversPartitionsToTheOthers) {
  auto spec = two_topics({"m1", "m2", "m3"});
  auto before = assign_uniform(spec);
  spec.subscriptions.erase("m2");
  spec.previous = before;
  auto after = assign_uniform(spec);
  expect_exactly_once(spec, after);
  EXPECT_FALSE(after.count("m2"));
  EXPECT_EQ(partition_count(after["m1"]) + partition_count(after["m3"]), 9u);
  EXPECT_LE(partition_count(after["m1"]), 5u);
  EXPECT_LE(partition_count(after["m3"]), 5u);
}

TEST(UniformAssignor, GivesATopicOnlyToItsSubscribers) {
  auto spec = two_topics({"m1", "m2"});
  spec.subscriptions["m2"] = {"b"};
  auto out = assign_uniform(spec);
  expect_exactly_once(spec, out);
  EXPECT_FALSE(out["m2"].count(topic_id(1)));
  // m2 can only take b's three partitions; m1 takes all of a.
  EXPECT_EQ(out["m1"][topic_id(1)].size(), 6u);
}

TEST(RangeAssignor, GivesContiguousRangesInMemberOrder) {
  auto spec = two_topics({"m1", "m2", "m3", "m4"});
  auto out = assign_range(spec);
  expect_exactly_once(spec, out);
  EXPECT_EQ(out["m1"][topic_id(1)], (std::set<int32_t>{0, 1}));
  EXPECT_EQ(out["m2"][topic_id(1)], (std::set<int32_t>{2, 3}));
  EXPECT_EQ(out["m3"][topic_id(1)], (std::set<int32_t>{4}));
  EXPECT_EQ(out["m4"][topic_id(1)], (std::set<int32_t>{5}));
  EXPECT_EQ(out["m1"][topic_id(2)], (std::set<int32_t>{0}));
  EXPECT_FALSE(out["m4"].count(topic_id(2)));
}

TEST(Assignors, AreFoundByTheNamesClientsUse) {
  EXPECT_EQ(find_assignor("uniform"), &assign_uniform);
  EXPECT_EQ(find_assignor("range"), &assign_range);
  EXPECT_EQ(find_assignor("sticky"), nullptr);
}

}  // namespace
}  // namespace sluice::broker
