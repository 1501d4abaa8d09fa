// The latest versions of Kafka 4.4's message definitions, through the handler
// table a connection uses: Produce v13 and Fetch v13-v18 name topics by id,
// ListOffsets v9-v11 ask for tiered offsets, Metadata v13 has a top-level
// error, FindCoordinator v6 may ask for a share coordinator, ApiVersions v5
// names the cluster and node the client meant, DescribeLogDirs v5 says whether
// a directory is cordoned, DescribeCluster v0-v2 describes this one broker.
// call_handler also checks that each answer has no byte its description lacks.
#include <gtest/gtest.h>

#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/admin.h"
#include "broker/protocol/messages/api_versions.h"
#include "broker/protocol/messages/cluster.h"
#include "broker/protocol/messages/fetch.h"
#include "broker/protocol/messages/list_offsets.h"
#include "broker/protocol/messages/log_dirs.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/offsets.h"
#include "broker/protocol/messages/produce.h"
#include "broker_batches_test_util.h"
#include "handler_call.h"

namespace sluice::broker {
namespace {

using protocol::code;
using protocol::ErrorCode;

class BrokerLatestVersions : public ::testing::Test, protected sluice::testing::BrokerHarness {
 protected:
  BrokerLatestVersions() : BrokerHarness("broker-latest-versions") {
    topics.create_topic("orders", 2, {});
  }

  Uuid id_of(const std::string& name) { return topics.describe(name)->id; }

  protocol::ProduceResponse produce_by_id(const Uuid& id, int records) {
    protocol::ProduceRequest in;
    in.acks = -1;
    in.timeout_ms = 30000;
    auto& t = in.topics.emplace_back();
    t.topic_id = id;
    t.partitions.push_back({1, protocol::Records::of(testing::plain_batch(records))});
    return call<protocol::ProduceResponse>(std::move(in), 13);
  }

  protocol::FetchResponse fetch_by_id(const Uuid& id, int16_t version) {
    protocol::FetchRequest in;
    in.max_wait_ms = 0;
    in.min_bytes = 0;
    auto& t = in.topics.emplace_back();
    t.topic_id = id;
    t.partitions.push_back({1, -1, 0, -1, 1 << 20});
    return call<protocol::FetchResponse>(std::move(in), version);
  }

  protocol::ListOffsetsResponse::Partition list_offset(int64_t timestamp, int16_t version) {
    protocol::ListOffsetsRequest in;
    in.timeout_ms = 30000;
    in.topics.push_back({"orders", {{0, -1, timestamp, 1}}});
    return call<protocol::ListOffsetsResponse>(std::move(in), version)
        .topics.at(0)
        .partitions.at(0);
  }
};

TEST_F(BrokerLatestVersions, TheRegistryServesKafka44sLatestStableVersions) {
  const std::pair<int16_t, int16_t> latest[] = {{0, 13}, {1, 18}, {2, 11}, {3, 13}, {10, 6},
                                                {18, 5}, {22, 5}, {35, 5}, {60, 2}};
  for (auto [key, max] : latest) {
    ASSERT_NE(handlers::find_api(key), nullptr) << key;
    EXPECT_EQ(handlers::find_api(key)->max_version, max) << handlers::find_api(key)->name;
  }
  EXPECT_TRUE(handlers::is_flexible(60, 0)) << "DescribeCluster is flexible from v0";
}

TEST_F(BrokerLatestVersions, ProduceV13WritesToATopicNamedByIdAndAnswersByIt) {
  auto resp = produce_by_id(id_of("orders"), 3);
  ASSERT_EQ(resp.responses.size(), 1u);
  EXPECT_EQ(resp.responses[0].topic_id, id_of("orders"));
  EXPECT_EQ(resp.responses[0].name, "") << "v13 answers by id only";
  const auto& p = resp.responses[0].partitions.at(0);
  EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(p.base_offset, 0);
  EXPECT_EQ(topics.partition("orders", 1)->log_end_offset(), 3);
}

TEST_F(BrokerLatestVersions, ProduceV13ToAnUnknownIdIsUnknownTopicIdAndCreatesNothing) {
  Uuid stranger = Uuid::random_v4();
  auto resp = produce_by_id(stranger, 1);
  EXPECT_EQ(resp.responses.at(0).topic_id, stranger);
  EXPECT_EQ(resp.responses[0].partitions.at(0).error_code, code(ErrorCode::kUnknownTopicId));
  EXPECT_EQ(topics.list().size(), 1u);
}

TEST_F(BrokerLatestVersions, FetchFromV13ReadsATopicNamedByIdInEveryVersion) {
  produce_by_id(id_of("orders"), 2);
  for (int16_t v = 13; v <= 18; ++v) {
    auto resp = fetch_by_id(id_of("orders"), v);
    ASSERT_EQ(resp.responses.size(), 1u) << v;
    EXPECT_EQ(resp.responses[0].topic_id, id_of("orders")) << v;
    const auto& p = resp.responses[0].partitions.at(0);
    EXPECT_EQ(p.error_code, 0) << v;
    EXPECT_EQ(p.high_watermark, 2) << v;
    EXPECT_FALSE(p.records.bytes().empty()) << v;
    EXPECT_EQ(resp.session_id, 0) << "sessionless: every fetch is a full fetch";
  }
}

TEST_F(BrokerLatestVersions, FetchByAnUnknownIdAnswersUnknownTopicIdPerPartition) {
  topics.create_topic("gone", 1, {});
  Uuid old = id_of("gone");
  ASSERT_EQ(topics.delete_topic("gone").status, StoreStatus::kOk);
  auto resp = fetch_by_id(old, 18);
  EXPECT_EQ(resp.responses.at(0).topic_id, old);
  EXPECT_EQ(resp.responses[0].partitions.at(0).error_code, code(ErrorCode::kUnknownTopicId));
}

TEST_F(BrokerLatestVersions, FetchV15HasNoReplicaIdOnTheWire) {
  protocol::FetchRequest in;
  in.replica_id = 7;
  in.max_wait_ms = 500;
  for (int16_t v : {14, 15}) {
    Bytes b;
    ByteWriter w(b);
    protocol::Encoder e(w, v, true);
    e.write_message(in);
    ByteReader r(b);
    EXPECT_EQ(r.i32(), v == 14 ? 7 : 500) << v;
  }
}

TEST_F(BrokerLatestVersions, ListOffsetsTieredLookupsFindNothingOnAnUntieredLog) {
  produce_by_id(id_of("orders"), 1);  // partition 1; partition 0 stays empty
  for (int16_t v : {9, 10, 11}) {
    auto tiered = list_offset(protocol::ListOffsetsRequest::kLatestTiered, v);
    EXPECT_EQ(tiered.error_code, 0) << v;
    EXPECT_EQ(tiered.offset, -1) << v;
    EXPECT_EQ(tiered.timestamp, -1) << v;
    EXPECT_EQ(tiered.leader_epoch, -1) << v;
    EXPECT_EQ(list_offset(protocol::ListOffsetsRequest::kLatest, v).offset, 0) << v;
  }
  EXPECT_EQ(list_offset(protocol::ListOffsetsRequest::kEarliestPendingUpload, 11).offset, -1);
}

TEST_F(BrokerLatestVersions, MetadataV13AnswersATopLevelErrorCodeOfNone) {
  protocol::MetadataRequest in;
  in.topics.emplace().push_back({"orders"});
  auto resp = call<protocol::MetadataResponse>(in, 13);
  EXPECT_EQ(resp.error_code, 0);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].topic_id, id_of("orders"));
}

TEST_F(BrokerLatestVersions, FindCoordinatorV6RefusesAShareCoordinatorCleanly) {
  protocol::FindCoordinatorRequest in;
  in.key_type = 2;
  in.coordinator_keys = {"share-group"};
  auto resp = call<protocol::FindCoordinatorResponse>(in, 6);
  ASSERT_EQ(resp.coordinators.size(), 1u);
  EXPECT_EQ(resp.coordinators[0].error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(resp.coordinators[0].node_id, -1);
  in.key_type = protocol::FindCoordinatorRequest::kGroup;
  for (int16_t v : {5, 6}) {
    auto group = call<protocol::FindCoordinatorResponse>(in, v);
    EXPECT_EQ(group.coordinators.at(0).error_code, 0) << v;
    EXPECT_EQ(group.coordinators[0].node_id, ctx.options.node_id) << v;
  }
}

TEST_F(BrokerLatestVersions, ApiVersionsV5RefusesAConnectionMeantForAnotherClusterOrNode) {
  protocol::ApiVersionsRequest in{"apache-kafka-java", "4.4.0", std::nullopt, -1};
  auto first = call<protocol::ApiVersionsResponse>(in, 5);
  EXPECT_EQ(first.error_code, 0) << "a client that knows no cluster yet";
  EXPECT_FALSE(first.api_keys.empty());
  in.cluster_id = ctx.options.cluster_id;
  in.node_id = ctx.options.node_id;
  EXPECT_EQ(call<protocol::ApiVersionsResponse>(in, 5).error_code, 0);
  in.node_id = ctx.options.node_id + 1;
  EXPECT_EQ(call<protocol::ApiVersionsResponse>(in, 5).error_code,
            code(ErrorCode::kRebootstrapRequired));
  in.node_id = ctx.options.node_id;
  in.cluster_id = "another-cluster";
  EXPECT_EQ(call<protocol::ApiVersionsResponse>(in, 5).error_code,
            code(ErrorCode::kRebootstrapRequired));
  EXPECT_EQ(call<protocol::ApiVersionsResponse>(in, 4).error_code, 0) << "v4 has no cluster id";
}

TEST_F(BrokerLatestVersions, DescribeLogDirsV5SaysTheDataDirIsNotCordoned) {
  auto resp = call<protocol::DescribeLogDirsResponse>(protocol::DescribeLogDirsRequest{}, 5);
  ASSERT_EQ(resp.results.size(), 1u);
  EXPECT_EQ(resp.results[0].error_code, 0);
  EXPECT_FALSE(resp.results[0].is_cordoned);
}

TEST_F(BrokerLatestVersions, InitProducerIdV5GivesAnIdempotentProducerAnId) {
  auto resp = call<protocol::InitProducerIdResponse>(protocol::InitProducerIdRequest{}, 5);
  EXPECT_EQ(resp.error_code, 0);
  EXPECT_GE(resp.producer_id, 0);
  EXPECT_EQ(resp.producer_epoch, 0);
}

TEST_F(BrokerLatestVersions, DescribeClusterDescribesThisOneBrokerInEveryVersion) {
  for (int16_t v = 0; v <= 2; ++v) {
    auto resp = call<protocol::DescribeClusterResponse>(protocol::DescribeClusterRequest{}, v);
    EXPECT_EQ(resp.error_code, 0) << v;
    EXPECT_EQ(resp.cluster_id, ctx.options.cluster_id) << v;
    EXPECT_EQ(resp.controller_id, ctx.options.node_id) << v;
    ASSERT_EQ(resp.brokers.size(), 1u) << v;
    EXPECT_EQ(resp.brokers[0].broker_id, ctx.options.node_id) << v;
    EXPECT_FALSE(resp.brokers[0].is_fenced) << v;
  }
}

TEST_F(BrokerLatestVersions, DescribeClusterRefusesToDescribeControllers) {
  protocol::DescribeClusterRequest in;
  in.endpoint_type = protocol::DescribeClusterRequest::kControllers;
  auto resp = call<protocol::DescribeClusterResponse>(in, 1);
  EXPECT_EQ(resp.error_code, code(ErrorCode::kMismatchedEndpointType));
  EXPECT_TRUE(resp.brokers.empty());
  in.endpoint_type = 9;
  EXPECT_EQ(call<protocol::DescribeClusterResponse>(in, 2).error_code,
            code(ErrorCode::kUnsupportedEndpointType));
}

}  // namespace
}  // namespace sluice::broker
