// KIP-848 reconciliation (groups/reconciliation.h) alone, then a whole consumer
// group (groups/consumer_group.h) driven by heartbeats: a partition moves from its
// owner to another member only after the owner reported it revoked.
#include <gtest/gtest.h>

#include "broker/groups/consumer_group.h"
#include "broker/protocol/errors.h"

namespace sluice::broker {
namespace {

using protocol::code;
using protocol::ErrorCode;

Uuid topic_id(uint8_t n) {
  Uuid id;
  id.bytes[15] = n;
  return id;
}
const Uuid kT = topic_id(7);

PartitionSet parts(std::set<int32_t> p) {
  return p.empty() ? PartitionSet{} : PartitionSet{{kT, std::move(p)}};
}
const HeldByOther kFree = [](const Uuid&, int32_t) { return false; };

TEST(Reconciliation, ANewMemberGetsItsFreeTargetAndTheTargetEpoch) {
  MemberAssignment m;
  auto r = reconcile(m, 3, parts({0, 1}), PartitionSet{}, kFree);
  EXPECT_EQ(r.member_epoch, 3);
  EXPECT_EQ(r.assigned, parts({0, 1}));
  EXPECT_EQ(r.state, MemberState::kStable);
}

TEST(Reconciliation, RevokesFirstAtTheOldEpochThenAdvances) {
  MemberAssignment m;
  m.member_epoch = 2;
  m.assigned = parts({0, 1, 2});
  auto r = reconcile(m, 3, parts({0, 1}), std::nullopt, kFree);
  EXPECT_EQ(r.state, MemberState::kUnrevokedPartitions);
  EXPECT_EQ(r.member_epoch, 2);
  EXPECT_EQ(r.assigned, parts({0, 1}));
  EXPECT_EQ(r.pending_revocation, parts({2}));
  // Still owning 2: nothing changes.
  EXPECT_EQ(reconcile(r, 3, parts({0, 1}), parts({0, 1, 2}), kFree).state,
            MemberState::kUnrevokedPartitions);
  auto acked = reconcile(r, 3, parts({0, 1}), parts({0, 1}), kFree);
  EXPECT_EQ(acked.state, MemberState::kStable);
  EXPECT_EQ(acked.member_epoch, 3);
  EXPECT_EQ(acked.previous_member_epoch, 2);
  EXPECT_TRUE(acked.pending_revocation.empty());
}

TEST(Reconciliation, WaitsForPartitionsAnotherMemberStillHolds) {
  MemberAssignment m;
  auto held = [](const Uuid&, int32_t p) { return p == 1; };
  auto r = reconcile(m, 4, parts({0, 1}), PartitionSet{}, held);
  EXPECT_EQ(r.state, MemberState::kUnreleasedPartitions);
  EXPECT_EQ(r.assigned, parts({0}));
  EXPECT_EQ(r.member_epoch, 4);
  auto later = reconcile(r, 4, parts({0, 1}), std::nullopt, kFree);
  EXPECT_EQ(later.state, MemberState::kStable);
  EXPECT_EQ(later.assigned, parts({0, 1}));
}

class ConsumerGroupTest : public ::testing::Test {
 protected:
  ConsumerHeartbeatResult beat(const std::string& member, int32_t epoch,
                               std::optional<PartitionSet> owned = std::nullopt,
                               bool subscribe = false) {
    ConsumerHeartbeat hb;
    hb.group_id = "g";
    hb.member_id = member;
    hb.member_epoch = epoch;
    hb.owned = std::move(owned);
    if (subscribe || epoch == 0) hb.subscribed_topic_names = std::vector<std::string>{"t"};
    auto r = group.heartbeat(hb, topics, now);
    if (r.assignment) owned_by[member] = *r.assignment;
    return r;
  }

  TopicCatalog topics{{"t", {kT, 6}}};
  ConsumerGroup group{"g", {}};
  int64_t now = 1000;
  std::map<std::string, PartitionSet> owned_by;
};

TEST_F(ConsumerGroupTest, TwoMembersEndUpSharingThePartitionsWithoutOverlap) {
  auto a = beat("a", 0, PartitionSet{});
  EXPECT_EQ(a.error, 0);
  EXPECT_EQ(a.member_epoch, 1);
  EXPECT_EQ(partition_count(owned_by["a"]), 6u);

  auto b = beat("b", 0, PartitionSet{});
  EXPECT_EQ(b.member_epoch, 2);
  // a still owns everything: b gets nothing yet.
  EXPECT_EQ(partition_count(owned_by["b"]), 0u);
  EXPECT_EQ(group.state(), "Reconciling");

  // a learns it must give up three partitions, keeping its epoch.
  auto a2 = beat("a", 1);
  EXPECT_EQ(a2.member_epoch, 1);
  EXPECT_EQ(partition_count(owned_by["a"]), 3u);
  // a reports it revoked them and moves to epoch 2.
  auto a3 = beat("a", 1, owned_by["a"]);
  EXPECT_EQ(a3.member_epoch, 2);
  // b now gets the released ones.
  beat("b", 2);
  EXPECT_EQ(partition_count(owned_by["b"]), 3u);
  for (const auto& [topic, p] : owned_by["b"])
    for (int32_t i : p) EXPECT_FALSE(contains(owned_by["a"], topic, i));
  EXPECT_EQ(group.state(), "Stable");
}

TEST_F(ConsumerGroupTest, UnknownMembersAndWrongEpochsAreToldToRejoin) {
  beat("a", 0, PartitionSet{});
  EXPECT_EQ(beat("ghost", 1).error, code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(beat("a", 5).error, code(ErrorCode::kFencedMemberEpoch));
  EXPECT_EQ(group.check_member_epoch("a", 1), 0);
  EXPECT_EQ(group.check_member_epoch("a", 0), code(ErrorCode::kStaleMemberEpoch));
  EXPECT_EQ(group.check_member_epoch("nobody", 1), code(ErrorCode::kUnknownMemberId));
}

TEST_F(ConsumerGroupTest, ASilentMemberExpiresAndItsPartitionsMove) {
  beat("a", 0, PartitionSet{});
  beat("b", 0, PartitionSet{});
  beat("a", 1);
  beat("a", 1, owned_by["a"]);
  beat("b", 2);
  now += 45001;  // b stays silent past the default session timeout; a heartbeats
  beat("a", 2);
  EXPECT_TRUE(group.expire(now));
  EXPECT_FALSE(group.members().count("b"));
  auto r = beat("a", 2);
  EXPECT_EQ(r.member_epoch, 3);
  EXPECT_EQ(partition_count(owned_by["a"]), 6u);
}

TEST_F(ConsumerGroupTest, ALeavingMemberFreesItsPartitionsAndANewTopicIsAssigned) {
  beat("a", 0, PartitionSet{});
  auto left = beat("a", -1);
  EXPECT_EQ(left.member_epoch, -1);
  EXPECT_TRUE(group.empty());
  beat("b", 0, PartitionSet{});
  EXPECT_EQ(partition_count(owned_by["b"]), 6u);
  topics["t"].partitions = 8;  // more partitions: the group epoch moves
  int32_t epoch = group.group_epoch();
  auto r = beat("b", group.members().at("b").assignment.member_epoch);
  EXPECT_GT(group.group_epoch(), epoch);
  EXPECT_EQ(r.member_epoch, group.group_epoch());
  EXPECT_EQ(partition_count(owned_by["b"]), 8u);
}

TEST_F(ConsumerGroupTest, ARegexSubscriptionTakesTopicsThatMatch) {
  topics["orders-eu"] = {topic_id(8), 2};
  topics["payments"] = {topic_id(9), 2};
  ConsumerHeartbeat hb;
  hb.group_id = "g";
  hb.member_id = "r";
  hb.subscribed_topic_regex = "orders-.*";
  hb.owned = PartitionSet{};
  auto r = group.heartbeat(hb, topics, now);
  ASSERT_EQ(r.error, 0);
  ASSERT_TRUE(r.assignment);
  EXPECT_EQ(r.assignment->size(), 1u);
  EXPECT_TRUE(r.assignment->count(topic_id(8)));
  hb.member_id = "bad";
  hb.subscribed_topic_regex = "(";
  EXPECT_EQ(group.heartbeat(hb, topics, now).error, code(ErrorCode::kInvalidRegularExpression));
}

TEST_F(ConsumerGroupTest, AStaticMemberComesBackToItsPartitionsWithoutANewEpoch) {
  ConsumerHeartbeat hb;
  hb.group_id = "g";
  hb.member_id = "s1";
  hb.instance_id = "host-1";
  hb.subscribed_topic_names = std::vector<std::string>{"t"};
  hb.owned = PartitionSet{};
  auto joined = group.heartbeat(hb, topics, now);
  ASSERT_EQ(joined.error, 0);
  int32_t epoch = group.group_epoch();
  // Another live member with the same instance id is refused.
  hb.member_id = "s2";
  EXPECT_EQ(group.heartbeat(hb, topics, now).error, code(ErrorCode::kUnreleasedInstanceId));
  // Leaving for now (-2) keeps the partitions; the instance rejoins under a new id.
  hb.member_id = "s1";
  hb.member_epoch = -2;
  EXPECT_EQ(group.heartbeat(hb, topics, now).member_epoch, -2);
  hb.member_id = "s2";
  hb.member_epoch = 0;
  auto back = group.heartbeat(hb, topics, now);
  ASSERT_EQ(back.error, 0);
  EXPECT_EQ(back.member_epoch, joined.member_epoch);
  EXPECT_EQ(group.group_epoch(), epoch);
  ASSERT_TRUE(back.assignment);
  EXPECT_EQ(partition_count(*back.assignment), 6u);
  EXPECT_FALSE(group.members().count("s1"));
}

TEST_F(ConsumerGroupTest, AnUnknownAssignorIsRefused) {
  ConsumerHeartbeat hb;
  hb.group_id = "g";
  hb.member_id = "a";
  hb.subscribed_topic_names = std::vector<std::string>{"t"};
  hb.server_assignor = "cooperative-sticky";
  EXPECT_EQ(group.heartbeat(hb, topics, now).error, code(ErrorCode::kUnsupportedAssignor));
}

}  // namespace
}  // namespace sluice::broker
