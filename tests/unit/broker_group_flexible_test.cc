// The consumer-group APIs at their flexible versions (KIP-482), through the same
// header parser, flexibility table and handlers the connection uses: one member's
// whole life (FindCoordinator v4 .. DeleteGroups v2) at the highest served version,
// plus a request written byte by byte, so that a mistake made the same way in
// the Encoder and the Decoder cannot pass unseen.
#include <gtest/gtest.h>

#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/admin.h"
#include "broker/protocol/messages/groups.h"
#include "broker/protocol/messages/offsets.h"
#include "handler_call.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

using protocol::code;
using protocol::ErrorCode;

class BrokerGroupFlexible : public ::testing::Test, protected sluice::testing::BrokerHarness {
 protected:
  BrokerGroupFlexible() : BrokerHarness("broker-group-flex", {.initial_rebalance_delay_ms = 0}) {
    ctx.options.listeners.front().advertised_host = "broker.example";
    ctx.options.listeners.front().advertised_port = 9093;
    topics.create_topic("orders", 2, {});
  }

  protocol::JoinGroupResponse join(int16_t version) {
    protocol::JoinGroupRequest in;
    in.group_id = "g";
    in.session_timeout_ms = 10000;
    in.rebalance_timeout_ms = 10000;
    in.protocol_type = "consumer";
    in.protocols.push_back({"range", {Bytes{0, 1}}});
    in.reason = "starting up";
    return call<protocol::JoinGroupResponse>(in, version);
  }
};

TEST_F(BrokerGroupFlexible, TheGroupApisAreAdvertisedFlexibleFromKafkasVersions) {
  struct Expected {
    int16_t key, max, first_flexible;
  };
  for (auto [key, max, first_flexible] :
       {Expected{8, 10, 8}, Expected{9, 10, 6}, Expected{10, 6, 3}, Expected{11, 9, 6},
        Expected{12, 4, 4}, Expected{13, 5, 4}, Expected{14, 5, 4}, Expected{15, 5, 5},
        Expected{16, 5, 3}, Expected{42, 2, 2}, Expected{68, 1, 0}, Expected{69, 1, 0}}) {
    const handlers::ApiSpec* api = handlers::find_api(key);
    ASSERT_NE(api, nullptr) << key;
    EXPECT_EQ(api->max_version, max) << api->name;
    EXPECT_EQ(api->first_flexible, first_flexible) << api->name;
  }
}

TEST_F(BrokerGroupFlexible, AHeartbeatV4WrittenByHandIsAnsweredInSevenBytes) {
  Bytes frame;
  ByteWriter w(frame);
  w.i16(12);     // Heartbeat
  w.i16(4);      // the first flexible version: request header v2
  w.i32(7);      // correlation id
  w.i16(-1);     // client id: a plain nullable string even in header v2
  w.uvarint(0);  // the header's tagged fields
  w.uvarint(2);  // compact string "g": length + 1
  w.raw(std::string_view("g"));
  w.i32(1);      // generation
  w.uvarint(3);  // member id "m1"
  w.raw(std::string_view("m1"));
  w.uvarint(0);  // group instance id: compact null
  w.uvarint(0);  // the body's tagged fields
  auto req = protocol::parse_request(frame, handlers::is_flexible);
  ASSERT_TRUE(req.flexible);
  req.session = &session;
  Bytes answer = handlers::find_api(12)->handle(ctx, req).value();
  // throttle_time_ms, error_code (the group is unknown: UNKNOWN_MEMBER_ID), empty tag section.
  ASSERT_EQ(answer.size(), 7u);
  EXPECT_EQ(load_be32(answer.data()), 0u);
  EXPECT_EQ(int16_t(load_be16(answer.data() + 4)), code(ErrorCode::kUnknownMemberId));
  EXPECT_EQ(answer[6], 0);
}

TEST_F(BrokerGroupFlexible, FindCoordinatorV4AnswersEachKeyOfTheBatch) {
  protocol::FindCoordinatorRequest in;
  in.coordinator_keys = {"g1", "g2"};
  auto resp = call<protocol::FindCoordinatorResponse>(in, 4);
  ASSERT_EQ(resp.coordinators.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(resp.coordinators[i].key, in.coordinator_keys[i]);
    EXPECT_EQ(resp.coordinators[i].error_code, 0);
    EXPECT_EQ(resp.coordinators[i].node_id, ctx.options.node_id);
    EXPECT_EQ(resp.coordinators[i].host, "broker.example");
    EXPECT_EQ(resp.coordinators[i].port, 9093);
  }
  protocol::FindCoordinatorRequest one;
  one.key = "g1";
  auto v3 = call<protocol::FindCoordinatorResponse>(one, 3);  // flexible, one key
  EXPECT_EQ(v3.error_code, 0);
  EXPECT_EQ(v3.host, "broker.example");
  EXPECT_EQ(v3.port, 9093);
}

TEST_F(BrokerGroupFlexible, AMemberJoinsSyncsCommitsFetchesListsAndLeavesAtTheNewestVersions) {
  auto joined = join(9);
  ASSERT_EQ(joined.error_code, 0);
  EXPECT_EQ(joined.protocol_type, "consumer");
  EXPECT_EQ(joined.protocol_name, "range");
  EXPECT_FALSE(joined.skip_assignment);
  EXPECT_EQ(joined.leader, joined.member_id);
  ASSERT_EQ(joined.members.size(), 1u);
  EXPECT_EQ(joined.members[0].metadata.data, (Bytes{0, 1}));

  protocol::SyncGroupRequest sync;
  sync.group_id = "g";
  sync.generation_id = joined.generation_id;
  sync.member_id = joined.member_id;
  sync.protocol_type = "consumer";
  sync.protocol_name = "roundrobin";  // not what the group chose
  sync.assignments.push_back({joined.member_id, {Bytes{7, 7}}});
  auto refused = call<protocol::SyncGroupResponse>(sync, 5);
  EXPECT_EQ(refused.error_code, code(ErrorCode::kInconsistentGroupProtocol));
  EXPECT_FALSE(refused.protocol_name.has_value());
  sync.protocol_name = "range";
  auto synced = call<protocol::SyncGroupResponse>(sync, 5);
  ASSERT_EQ(synced.error_code, 0);
  EXPECT_EQ(synced.protocol_type, "consumer");
  EXPECT_EQ(synced.protocol_name, "range");
  EXPECT_EQ(synced.assignment.data, (Bytes{7, 7}));

  protocol::HeartbeatRequest hb{"g", joined.generation_id, joined.member_id, std::nullopt};
  EXPECT_EQ(call<protocol::ErrorOnlyResponse>(hb, 4).error_code, 0);

  protocol::OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.generation_id = joined.generation_id;
  commit.member_id = joined.member_id;
  commit.topics.push_back({"orders", {}});
  commit.topics[0].partitions.push_back({1, 42, 3, -1, "meta"});
  auto committed = call<protocol::OffsetCommitResponse>(commit, 8);
  ASSERT_EQ(committed.topics.size(), 1u);
  ASSERT_EQ(committed.topics[0].partitions.size(), 1u);
  EXPECT_EQ(committed.topics[0].partitions[0].error_code, 0);

  // v8: several groups in one request, each answered on its own.
  protocol::OffsetFetchRequest fetch;
  fetch.require_stable = true;
  fetch.groups.push_back({"g", std::vector<protocol::OffsetFetchRequest::Topic>{{"orders", {1}}}});
  fetch.groups.push_back({"g", std::nullopt});  // every committed partition
  fetch.groups.push_back({"never-committed", std::nullopt});
  auto fetched = call<protocol::OffsetFetchResponse>(fetch, 8);
  ASSERT_EQ(fetched.groups.size(), 3u);
  for (size_t i = 0; i < 2; ++i) {
    const auto& g = fetched.groups[i];
    EXPECT_EQ(g.group_id, "g");
    EXPECT_EQ(g.error_code, 0);
    ASSERT_EQ(g.topics.size(), 1u);
    EXPECT_EQ(g.topics[0].name, "orders");
    ASSERT_EQ(g.topics[0].partitions.size(), 1u);
    EXPECT_EQ(g.topics[0].partitions[0].index, 1);
    EXPECT_EQ(g.topics[0].partitions[0].committed_offset, 42);
    EXPECT_EQ(g.topics[0].partitions[0].committed_leader_epoch, 3);
    EXPECT_EQ(g.topics[0].partitions[0].metadata, "meta");
  }
  EXPECT_EQ(fetched.groups[2].group_id, "never-committed");
  EXPECT_TRUE(fetched.groups[2].topics.empty());
  // v6 (flexible, one group) and v5 (the last non-flexible) still answer at the top level.
  for (int16_t v : {5, 6, 7}) {
    protocol::OffsetFetchRequest old;
    old.group_id = "g";
    auto resp = call<protocol::OffsetFetchResponse>(old, v);
    ASSERT_EQ(resp.topics.size(), 1u) << "v" << v;
    EXPECT_EQ(resp.topics[0].partitions[0].committed_offset, 42) << "v" << v;
  }

  protocol::ListGroupsRequest list;
  list.states_filter = {"stable"};  // any case, as Kafka compares them
  auto listed = call<protocol::ListGroupsResponse>(list, 4);
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_id, "g");
  EXPECT_EQ(listed.groups[0].protocol_type, "consumer");
  EXPECT_EQ(listed.groups[0].group_state, "Stable");
  list.states_filter = {"Empty", "PreparingRebalance"};
  EXPECT_TRUE(call<protocol::ListGroupsResponse>(list, 4).groups.empty());
  EXPECT_EQ(call<protocol::ListGroupsResponse>(protocol::ListGroupsRequest{}, 3).groups.size(), 1u);

  protocol::DescribeGroupsRequest describe;
  describe.groups = {"g"};
  auto described = call<protocol::DescribeGroupsResponse>(describe, 5);
  ASSERT_EQ(described.groups.size(), 1u);
  EXPECT_EQ(described.groups[0].group_state, "Stable");
  EXPECT_EQ(described.groups[0].protocol_data, "range");
  ASSERT_EQ(described.groups[0].members.size(), 1u);
  EXPECT_EQ(described.groups[0].members[0].member_assignment.data, (Bytes{7, 7}));

  protocol::DeleteGroupsRequest del;
  del.groups_names = {"g"};
  auto not_yet = call<protocol::DeleteGroupsResponse>(del, 2);
  ASSERT_EQ(not_yet.results.size(), 1u);
  EXPECT_EQ(not_yet.results[0].error_code, code(ErrorCode::kNonEmptyGroup));

  protocol::LeaveGroupRequest leave;
  leave.group_id = "g";
  leave.members.push_back({joined.member_id, std::nullopt, "shutting down"});
  auto left = call<protocol::LeaveGroupResponse>(leave, 5);
  EXPECT_EQ(left.error_code, 0);
  ASSERT_EQ(left.members.size(), 1u);
  EXPECT_EQ(left.members[0].member_id, joined.member_id);
  EXPECT_EQ(left.members[0].error_code, 0);

  auto deleted = call<protocol::DeleteGroupsResponse>(del, 2);
  ASSERT_EQ(deleted.results.size(), 1u);
  EXPECT_EQ(deleted.results[0].group_id, "g");
  EXPECT_EQ(deleted.results[0].error_code, 0);
}

TEST_F(BrokerGroupFlexible, JoinGroupBelowV7HasNoProtocolTypeAndV6IsAlreadyFlexible) {
  auto v6 = join(6);
  ASSERT_EQ(v6.error_code, 0);
  EXPECT_FALSE(v6.protocol_type.has_value()) << "not on the wire before v7";
  EXPECT_EQ(v6.protocol_name, "range");
}

}  // namespace
}  // namespace sluice::broker
