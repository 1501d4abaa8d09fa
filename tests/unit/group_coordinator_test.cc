// The group coordinator's state machine, driven directly by threads standing in
// for consumers (the wire protocol around it is covered by the client tests).
#include "broker/groups/group_coordinator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "broker/protocol/errors.h"

namespace sluice::broker {
namespace {

using protocol::code;
using protocol::ErrorCode;

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice-gc-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store_ = std::make_unique<OffsetStore>(dir_, false);
    CoordinatorOptions opts;
    opts.initial_rebalance_delay_ms = 0;
    coord_ = std::make_unique<GroupCoordinator>(*store_, opts);
  }
  void TearDown() override {
    coord_->shutdown();
    std::filesystem::remove_all(dir_);
  }

  JoinRequestArgs args(const std::string& member = "",
                       std::optional<std::string> instance = std::nullopt) {
    JoinRequestArgs a;
    a.group_id = "g";
    a.member_id = member;
    a.instance_id = instance;
    a.client_id = "c";
    a.protocol_type = "consumer";
    a.protocols = {{"range", {1}}, {"roundrobin", {2}}};
    a.session_timeout_ms = 2000;
    a.rebalance_timeout_ms = 2000;
    return a;
  }

  std::filesystem::path dir_;
  std::unique_ptr<OffsetStore> store_;
  std::unique_ptr<GroupCoordinator> coord_;
};

TEST_F(GroupCoordinatorTest, ASingleMemberBecomesLeaderAndTheGroupStabilisesAfterSync) {
  JoinResult j = coord_->join(args());
  ASSERT_EQ(j.error, 0);
  EXPECT_EQ(j.generation, 1);
  EXPECT_EQ(j.leader, j.member_id);
  EXPECT_EQ(j.protocol_name, "range");
  ASSERT_EQ(j.members.size(), 1u);
  EXPECT_EQ(coord_->describe("g").state, "CompletingRebalance");
  SyncResult s = coord_->sync("g", j.generation, j.member_id, std::nullopt, {{j.member_id, {9}}});
  EXPECT_EQ(s.error, 0);
  EXPECT_EQ(s.assignment, Bytes{9});
  EXPECT_EQ(coord_->describe("g").state, "Stable");
  EXPECT_EQ(coord_->heartbeat("g", j.generation, j.member_id, std::nullopt), 0);
}

TEST_F(GroupCoordinatorTest, ASecondMemberTriggersARebalanceThatBothJoinAndTheLeaderAssignsBoth) {
  JoinResult a = coord_->join(args());
  coord_->sync("g", a.generation, a.member_id, std::nullopt, {{a.member_id, {1}}});
  auto b_future = std::async(std::launch::async, [&] { return coord_->join(args()); });
  // The existing member learns of the rebalance from its heartbeat, then rejoins.
  for (int i = 0; i < 100 && coord_->heartbeat("g", a.generation, a.member_id, std::nullopt) == 0;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(coord_->heartbeat("g", a.generation, a.member_id, std::nullopt),
            code(ErrorCode::kRebalanceInProgress));
  EXPECT_EQ(coord_->check_commit("g", {a.generation, a.member_id, std::nullopt}),
            code(ErrorCode::kRebalanceInProgress))
      << "an OffsetCommit waits for the rebalance";
  EXPECT_EQ(coord_->check_commit("g", {a.generation, a.member_id, std::nullopt, true}), 0)
      << "a TxnOffsetCommit of the current generation is taken, as Kafka takes it: Kafka "
         "Streams' producer treats REBALANCE_IN_PROGRESS there as fatal";
  EXPECT_EQ(coord_->check_commit("g", {a.generation + 1, a.member_id, std::nullopt, true}),
            code(ErrorCode::kIllegalGeneration));
  JoinResult a2 = coord_->join(args(a.member_id));
  JoinResult b = b_future.get();
  ASSERT_EQ(a2.error, 0);
  ASSERT_EQ(b.error, 0);
  EXPECT_EQ(a2.generation, 2);
  EXPECT_EQ(b.generation, 2);
  EXPECT_EQ(a2.leader, a.member_id) << "the existing leader keeps leading";
  EXPECT_EQ(a2.members.size(), 2u);
  EXPECT_TRUE(b.members.empty()) << "only the leader receives member metadata";
  auto b_sync = std::async(std::launch::async,
                           [&] { return coord_->sync("g", 2, b.member_id, std::nullopt, {}); });
  SyncResult sa =
      coord_->sync("g", 2, a.member_id, std::nullopt, {{a.member_id, {1}}, {b.member_id, {2}}});
  EXPECT_EQ(sa.assignment, Bytes{1});
  EXPECT_EQ(b_sync.get().assignment, Bytes{2});
}

TEST_F(GroupCoordinatorTest, ASilentMemberExpiresAfterItsSessionTimeout) {
  JoinResult a = coord_->join(args());
  coord_->sync("g", a.generation, a.member_id, std::nullopt, {});
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  coord_->tick();
  EXPECT_EQ(coord_->heartbeat("g", a.generation, a.member_id, std::nullopt),
            code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(coord_->describe("g").state, "Empty");
}

TEST_F(GroupCoordinatorTest, AStaticMemberRejoiningKeepsItsAssignmentWithoutARebalance) {
  JoinResult leader = coord_->join(args("", "leader-instance"));
  auto follower_join =
      std::async(std::launch::async, [&] { return coord_->join(args("", "follower-instance")); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  JoinResult l2 = coord_->join(args(leader.member_id, "leader-instance"));
  JoinResult f = follower_join.get();
  auto fsync = std::async(std::launch::async, [&] {
    return coord_->sync("g", f.generation, f.member_id, "follower-instance", {});
  });
  coord_->sync("g", l2.generation, l2.member_id, "leader-instance",
               {{l2.member_id, {1}}, {f.member_id, {2}}});
  ASSERT_EQ(fsync.get().assignment, Bytes{2});
  int32_t generation = l2.generation;

  // The follower restarts: same instance id, empty member id.
  JoinResult again = coord_->join(args("", "follower-instance"));
  ASSERT_EQ(again.error, 0);
  EXPECT_EQ(again.generation, generation) << "no rebalance for a static rejoin";
  EXPECT_NE(again.member_id, f.member_id);
  EXPECT_EQ(coord_->sync("g", generation, again.member_id, "follower-instance", {}).assignment,
            Bytes{2});
  EXPECT_EQ(coord_->heartbeat("g", generation, f.member_id, "follower-instance"),
            code(ErrorCode::kFencedInstanceId));
}

TEST_F(GroupCoordinatorTest, LeavingTheGroupEmptiesItAndDeletingItDropsItsOffsets) {
  JoinResult a = coord_->join(args());
  coord_->sync("g", a.generation, a.member_id, std::nullopt, {});
  store_->commit({{{"g", "t", 0}, {42, -1, "", 0}}});
  EXPECT_EQ(coord_->delete_group("g"), code(ErrorCode::kNonEmptyGroup));
  EXPECT_EQ(coord_->leave("g", {{a.member_id, std::nullopt}}), std::vector<int16_t>{0});
  EXPECT_EQ(coord_->describe("g").state, "Empty");
  EXPECT_EQ(coord_->delete_group("g"), 0);
  EXPECT_FALSE(store_->fetch({"g", "t", 0}).has_value());
  EXPECT_EQ(coord_->delete_group("g"), code(ErrorCode::kGroupIdNotFound));
}

TEST_F(GroupCoordinatorTest, CommitsAreCheckedAgainstMembershipAndGeneration) {
  EXPECT_EQ(coord_->check_commit("g", {}), 0)
      << "a standalone commit to an inactive group is allowed";
  JoinResult a = coord_->join(args());
  coord_->sync("g", a.generation, a.member_id, std::nullopt, {});
  EXPECT_EQ(coord_->check_commit("g", {}), code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(coord_->check_commit("g", {a.generation, a.member_id, std::nullopt}), 0);
  EXPECT_EQ(coord_->check_commit("g", {a.generation + 1, a.member_id, std::nullopt}),
            code(ErrorCode::kIllegalGeneration));
}

TEST(OffsetStore, CommittedOffsetsSurviveReopeningAndTheJournalIsCompacted) {
  auto dir = std::filesystem::temp_directory_path() / ("sluice-os-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    OffsetStore s(dir, true);
    for (int i = 0; i < 100; ++i) s.commit({{{"g", "orders", 1}, {i, -1, "meta data", 1000 + i}}});
    s.commit({{{"g 2", "x", 0}, {5, -1, "", 0}}});
    s.erase_group("g 2");
  }
  {
    OffsetStore s(dir, true);
    auto c = s.fetch({"g", "orders", 1});
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->offset, 99);
    EXPECT_EQ(c->metadata, "meta data");
    EXPECT_FALSE(s.has_group("g 2"));
    EXPECT_EQ(s.groups(), std::vector<std::string>{"g"});
  }
  std::ifstream journal(dir / "consumer_offsets.journal");
  int lines = 0;
  for (std::string l; std::getline(journal, l);) ++lines;
  EXPECT_EQ(lines, 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sluice::broker
