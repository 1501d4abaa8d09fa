// The KIP-848 APIs through the handlers, the header parser and the codec the
// connection uses: ConsumerGroupHeartbeat joins and reconciles two members,
// ConsumerGroupDescribe shows them, OffsetCommit v9 and OffsetFetch v9 check the
// member epoch, and a classic JoinGroup cannot enter the live consumer group.
#include <gtest/gtest.h>

#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/consumer_groups.h"
#include "broker/protocol/messages/groups.h"
#include "broker/protocol/messages/offsets.h"
#include "handler_call.h"

namespace sluice::broker {
namespace {

using protocol::code;
using protocol::ConsumerGroupDescribeRequest;
using protocol::ConsumerGroupDescribeResponse;
using protocol::ConsumerGroupHeartbeatRequest;
using protocol::ConsumerGroupHeartbeatResponse;
using protocol::ErrorCode;

class BrokerConsumerGroup : public ::testing::Test, protected sluice::testing::BrokerHarness {
 protected:
  BrokerConsumerGroup() : BrokerHarness("broker-consumer-group") {
    topics.create_topic("orders", 4, {});
  }

  ConsumerGroupHeartbeatResponse beat(
      const std::string& member, int32_t epoch,
      std::optional<std::vector<protocol::MemberTopicPartitions>> owned = std::nullopt) {
    ConsumerGroupHeartbeatRequest in;
    in.group_id = "g";
    in.member_id = member;
    in.member_epoch = epoch;
    if (epoch == 0) {
      in.subscribed_topic_names = std::vector<std::string>{"orders"};
      in.rebalance_timeout_ms = 30000;
      in.server_assignor = "range";
    }
    in.topic_partitions = std::move(owned);
    return call<ConsumerGroupHeartbeatResponse>(in, 1);
  }

  size_t count(const ConsumerGroupHeartbeatResponse& r) {
    size_t n = 0;
    if (r.assignment)
      for (const auto& t : r.assignment->topic_partitions) n += t.partitions.size();
    return n;
  }
};

TEST_F(BrokerConsumerGroup, TwoMembersJoinReconcileAndAreDescribed) {
  auto a = beat("member-a", 0, std::vector<protocol::MemberTopicPartitions>{});
  ASSERT_EQ(a.error_code, 0) << a.error_message.value_or("");
  EXPECT_EQ(a.member_id, "member-a");
  EXPECT_EQ(a.member_epoch, 1);
  EXPECT_GT(a.heartbeat_interval_ms, 0);
  ASSERT_TRUE(a.assignment);
  EXPECT_EQ(count(a), 4u);
  EXPECT_EQ(a.assignment->topic_partitions[0].topic_id, topics.describe("orders")->id);

  auto b = beat("member-b", 0, std::vector<protocol::MemberTopicPartitions>{});
  EXPECT_EQ(b.member_epoch, 2);
  EXPECT_EQ(count(b), 0u);  // a still owns everything

  auto a2 = beat("member-a", 1);
  EXPECT_EQ(a2.member_epoch, 1);  // revoke first, at the old epoch
  EXPECT_EQ(count(a2), 2u);
  auto a3 = beat("member-a", 1, a2.assignment->topic_partitions);
  EXPECT_EQ(a3.member_epoch, 2);
  auto b2 = beat("member-b", 2);
  EXPECT_EQ(count(b2), 2u);

  ConsumerGroupDescribeRequest d;
  d.group_ids = {"g", "nope"};
  auto desc = call<ConsumerGroupDescribeResponse>(d, 1);
  ASSERT_EQ(desc.groups.size(), 2u);
  const auto& g = desc.groups[0];
  EXPECT_EQ(g.error_code, 0);
  EXPECT_EQ(g.group_state, "Stable");
  EXPECT_EQ(g.group_epoch, 2);
  EXPECT_EQ(g.assignment_epoch, 2);
  EXPECT_EQ(g.assignor_name, "range");
  ASSERT_EQ(g.members.size(), 2u);
  EXPECT_EQ(g.members[0].assignment.topic_partitions[0].topic_name, "orders");
  EXPECT_EQ(g.members[0].subscribed_topic_names, std::vector<std::string>{"orders"});
  EXPECT_EQ(desc.groups[1].error_code, code(ErrorCode::kGroupIdNotFound));

  // OffsetCommit v9: the member's epoch, not an older one.
  protocol::OffsetCommitRequest c;
  c.group_id = "g";
  c.member_id = "member-a";
  c.generation_id = 1;
  c.topics.push_back({"orders", {{0, 5, -1, -1, ""}}});
  auto stale = call<protocol::OffsetCommitResponse>(c, 9);
  EXPECT_EQ(stale.topics[0].partitions[0].error_code, code(ErrorCode::kStaleMemberEpoch));
  c.generation_id = 2;
  auto ok = call<protocol::OffsetCommitResponse>(c, 9);
  EXPECT_EQ(ok.topics[0].partitions[0].error_code, 0);

  protocol::OffsetFetchRequest f;
  f.groups.push_back({"g", std::nullopt, "member-a", 2});
  auto fetched = call<protocol::OffsetFetchResponse>(f, 9);
  ASSERT_EQ(fetched.groups.size(), 1u);
  EXPECT_EQ(fetched.groups[0].error_code, 0);
  EXPECT_EQ(fetched.groups[0].topics[0].partitions[0].committed_offset, 5);
  f.groups[0].member_id = "ghost";
  EXPECT_EQ(call<protocol::OffsetFetchResponse>(f, 9).groups[0].error_code,
            code(ErrorCode::kUnknownMemberId));

  // A classic consumer cannot join the live consumer group; DescribeGroups says it is not classic.
  protocol::JoinGroupRequest j;
  j.group_id = "g";
  j.session_timeout_ms = 10000;
  j.protocol_type = "consumer";
  j.protocols.push_back({"range", {Bytes{0}}});
  EXPECT_EQ(call<protocol::JoinGroupResponse>(j, 9).error_code,
            code(ErrorCode::kInconsistentGroupProtocol));
  protocol::DescribeGroupsRequest dg;
  dg.groups = {"g"};
  EXPECT_EQ(call<protocol::DescribeGroupsResponse>(dg, 5).groups[0].error_code,
            code(ErrorCode::kGroupIdNotFound));
  protocol::ListGroupsRequest lg;
  lg.types_filter = {"consumer"};
  auto listed = call<protocol::ListGroupsResponse>(lg, 5);
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_type, "consumer");
  EXPECT_EQ(listed.groups[0].group_state, "Stable");

  auto left = beat("member-b", -1);
  EXPECT_EQ(left.error_code, 0);
  EXPECT_EQ(left.member_epoch, -1);
}

TEST_F(BrokerConsumerGroup, AnUnknownMemberAfterARestartIsToldToRejoin) {
  auto r = beat("member-x", 7);
  EXPECT_EQ(r.error_code, code(ErrorCode::kUnknownMemberId));
  EXPECT_TRUE(r.error_message.has_value());
  EXPECT_FALSE(groups.consumer_group("g").has_value());  // no group made for it
}

}  // namespace
}  // namespace sluice::broker
