// Topic ids on the wire: Metadata v10+ answers each topic's id and v12 looks a
// topic up by id; CreateTopics v7 answers the new id (and v5+ the topic as
// created); DeleteTopics v6 deletes by id; OffsetCommit and OffsetFetch v10
// commit and answer offsets by topic id. The flexible (KIP-482) encodings go
// through the same codec and handler table the connection uses; the versions
// before the flexible ones answer exactly as they did.
#include <gtest/gtest.h>

#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/offsets.h"
#include "broker/protocol/messages/topics.h"
#include "handler_call.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

using protocol::code;
using protocol::ErrorCode;

class BrokerTopicIds : public ::testing::Test, protected sluice::testing::BrokerHarness {
 protected:
  BrokerTopicIds() : BrokerHarness("broker-topic-ids") {
    topics.create_topic("orders", 2, {});
    topics.create_topic("payments", 1, {});
  }

  Uuid id_of(const std::string& name) { return topics.describe(name)->id; }

  protocol::MetadataResponse metadata(std::vector<protocol::MetadataRequest::Topic> wanted,
                                      int16_t version) {
    protocol::MetadataRequest in;
    in.topics = std::move(wanted);
    in.allow_auto_topic_creation = false;
    return call<protocol::MetadataResponse>(in, version);
  }
};

TEST_F(BrokerTopicIds, TheFlexibleVersionsAreAdvertised) {
  EXPECT_EQ(handlers::find_api(3)->max_version, 13);
  EXPECT_EQ(handlers::find_api(19)->max_version, 7);
  EXPECT_EQ(handlers::find_api(20)->max_version, 6);
  EXPECT_FALSE(handlers::is_flexible(3, 8));
  EXPECT_TRUE(handlers::is_flexible(3, 9));
  EXPECT_FALSE(handlers::is_flexible(19, 4));
  EXPECT_TRUE(handlers::is_flexible(19, 5));
  EXPECT_FALSE(handlers::is_flexible(20, 3));
  EXPECT_TRUE(handlers::is_flexible(20, 4));
}

TEST_F(BrokerTopicIds, MetadataFromV10AnswersEachTopicsId) {
  for (int16_t v : {10, 11, 12}) {
    auto resp = metadata({{"orders"}, {"payments"}}, v);
    ASSERT_EQ(resp.topics.size(), 2u) << v;
    EXPECT_EQ(resp.topics[0].topic_id, id_of("orders")) << v;
    EXPECT_EQ(resp.topics[1].topic_id, id_of("payments")) << v;
    EXPECT_EQ(resp.topics[0].partitions.size(), 2u);
  }
  auto unknown = metadata({{"nope"}}, 12);
  EXPECT_EQ(unknown.topics[0].error_code, code(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_TRUE(unknown.topics[0].topic_id.is_zero()) << "zero for a topic not found by name";
}

TEST_F(BrokerTopicIds, MetadataV9IsFlexibleAndHasNoIds) {
  auto resp = metadata({{"orders"}}, 9);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].name, "orders");
  EXPECT_TRUE(resp.topics[0].topic_id.is_zero()) << "v9 has no topic_id field";
}

TEST_F(BrokerTopicIds, MetadataV12LooksATopicUpById) {
  protocol::MetadataRequest::Topic by_id;
  by_id.topic_id = id_of("payments");  // name null
  auto resp = metadata({by_id}, 12);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, 0);
  EXPECT_EQ(resp.topics[0].name, "payments");
  EXPECT_EQ(resp.topics[0].topic_id, id_of("payments"));
  EXPECT_EQ(resp.topics[0].partitions.size(), 1u);
}

TEST_F(BrokerTopicIds, MetadataV12AnswersUnknownTopicIdForAnIdThatNamesNothing) {
  protocol::MetadataRequest::Topic by_id;
  by_id.topic_id = Uuid::random_v4();
  auto resp = metadata({by_id}, 12);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, code(ErrorCode::kUnknownTopicId));
  EXPECT_FALSE(resp.topics[0].name.has_value()) << "null name for an unknown id";
  EXPECT_EQ(resp.topics[0].topic_id, by_id.topic_id);
  EXPECT_EQ(topics.list().size(), 2u) << "an id never auto-creates";
}

TEST_F(BrokerTopicIds, MetadataV12ByTheIdOfADeletedTopicIsUnknownAfterReCreation) {
  Uuid old_id = id_of("orders");
  ASSERT_EQ(topics.delete_topic("orders").status, StoreStatus::kOk);
  ASSERT_EQ(topics.create_topic("orders", 1, {}).status, StoreStatus::kOk);
  protocol::MetadataRequest::Topic by_id;
  by_id.topic_id = old_id;
  EXPECT_EQ(metadata({by_id}, 12).topics[0].error_code, code(ErrorCode::kUnknownTopicId));
}

TEST_F(BrokerTopicIds, MetadataV8AnswersInTheOldLayoutToTheLastByte) {
  // v8: no ids, non-compact strings and arrays, cluster_authorized_operations last.
  auto resp = metadata({{"payments"}}, 8);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].name, "payments");
  EXPECT_TRUE(resp.topics[0].topic_id.is_zero());
}

TEST_F(BrokerTopicIds, CreateTopicsV7AnswersTheNewIdAndTheTopicAsCreated) {
  protocol::CreateTopicsRequest in;
  in.topics.push_back({"fresh", 3, -1, {}, {{"retention.ms", "60000"}}});
  auto resp = call<protocol::CreateTopicsResponse>(in, 7);
  ASSERT_EQ(resp.topics.size(), 1u);
  const auto& t = resp.topics[0];
  EXPECT_EQ(t.error_code, 0);
  EXPECT_EQ(t.topic_id, id_of("fresh"));
  EXPECT_EQ(t.num_partitions, 3);
  EXPECT_EQ(t.replication_factor, 1);
  bool saw_retention = false;
  for (const auto& c : t.configs) {
    if (c.name != "retention.ms") continue;
    saw_retention = true;
    EXPECT_EQ(c.value, "60000");
    EXPECT_EQ(c.config_source, protocol::CreateTopicsResponse::Config::kTopicConfig);
  }
  EXPECT_TRUE(saw_retention);
}

TEST_F(BrokerTopicIds, CreateTopicsV5ValidateOnlyShowsTheTopicWithoutAnId) {
  protocol::CreateTopicsRequest in;
  in.topics.push_back({"dry", 2, 1, {}, {}});
  in.validate_only = true;
  auto resp = call<protocol::CreateTopicsResponse>(in, 5);
  EXPECT_EQ(resp.topics[0].error_code, 0);
  EXPECT_EQ(resp.topics[0].num_partitions, 2);
  EXPECT_FALSE(resp.topics[0].configs.empty());
  EXPECT_FALSE(topics.describe("dry"));
  auto again = call<protocol::CreateTopicsResponse>(in, 7);
  EXPECT_TRUE(again.topics[0].topic_id.is_zero()) << "nothing was created, so no id";
}

TEST_F(BrokerTopicIds, CreateTopicsV7ReportsAFailureWithAZeroId) {
  protocol::CreateTopicsRequest in;
  in.topics.push_back({"orders", 1, 1, {}, {}});
  auto resp = call<protocol::CreateTopicsResponse>(in, 7);
  EXPECT_EQ(resp.topics[0].error_code, code(ErrorCode::kTopicAlreadyExists));
  EXPECT_TRUE(resp.topics[0].topic_id.is_zero());
  EXPECT_EQ(resp.topics[0].num_partitions, -1);
}

TEST_F(BrokerTopicIds, DeleteTopicsV6ByIdDeletesThatTopicAndAnswersItsNameAndId) {
  Uuid id = id_of("payments");
  protocol::DeleteTopicsRequest in;
  in.topics.push_back({std::nullopt, id});
  auto resp = call<protocol::DeleteTopicsResponse>(in, 6);
  ASSERT_EQ(resp.responses.size(), 1u);
  EXPECT_EQ(resp.responses[0].error_code, 0);
  EXPECT_EQ(resp.responses[0].name, "payments");
  EXPECT_EQ(resp.responses[0].topic_id, id);
  EXPECT_FALSE(topics.describe("payments"));
  EXPECT_TRUE(topics.describe("orders"));

  auto again = call<protocol::DeleteTopicsResponse>(in, 6);
  EXPECT_EQ(again.responses[0].error_code, code(ErrorCode::kUnknownTopicId));
  EXPECT_FALSE(again.responses[0].name.has_value());
  EXPECT_NE(again.responses[0].error_message->find(id.to_string()), std::string::npos);
}

TEST_F(BrokerTopicIds, DeleteTopicsV6ByNameAnswersTheId) {
  Uuid id = id_of("orders");
  protocol::DeleteTopicsRequest in;
  in.topics.push_back({"orders", Uuid()});
  auto resp = call<protocol::DeleteTopicsResponse>(in, 6);
  EXPECT_EQ(resp.responses[0].error_code, 0);
  EXPECT_EQ(resp.responses[0].topic_id, id);
}

TEST_F(BrokerTopicIds, DeleteTopicsV6RefusesANameAndAnIdTogetherOrNeither) {
  protocol::DeleteTopicsRequest in;
  in.topics.push_back({"orders", id_of("orders")});
  in.topics.push_back({std::nullopt, Uuid()});
  auto resp = call<protocol::DeleteTopicsResponse>(in, 6);
  ASSERT_EQ(resp.responses.size(), 2u);
  EXPECT_EQ(resp.responses[0].error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(resp.responses[1].error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_TRUE(topics.describe("orders"));
}

TEST_F(BrokerTopicIds, DeleteTopicsByNameWorksInEveryVersion) {
  for (int16_t v = 0; v <= 5; ++v) {
    std::string name = "gone-" + std::to_string(v);
    ASSERT_EQ(topics.create_topic(name, 1, {}).status, StoreStatus::kOk);
    protocol::DeleteTopicsRequest in;
    in.topic_names = {name, "never-was"};
    auto resp = call<protocol::DeleteTopicsResponse>(in, v);
    ASSERT_EQ(resp.responses.size(), 2u) << v;
    EXPECT_EQ(resp.responses[0].name, name);
    EXPECT_EQ(resp.responses[0].error_code, 0) << v;
    EXPECT_EQ(resp.responses[1].error_code, code(ErrorCode::kUnknownTopicOrPartition)) << v;
    EXPECT_EQ(resp.responses[1].error_message.has_value(), v >= 5) << "a message from v5";
    EXPECT_FALSE(topics.describe(name)) << v;
  }
}

// Under `--authorizer acl`, with no ACL for User:alice: an id must not reveal the
// name of a topic the caller may not see, nor delete it.
class BrokerTopicIdsAuthorized : public BrokerTopicIds {
 protected:
  BrokerTopicIdsAuthorized() {
    ctx.authorizer = &authorizer;
    session.principal = "User:alice";
    session.host = "10.0.0.1";
  }
  acl::AclStore acls{dir.path()};
  acl::Authorizer authorizer{acls, {"User:admin"}};
};

TEST_F(BrokerTopicIdsAuthorized, MetadataByIdOfAHiddenTopicAnswersNoName) {
  protocol::MetadataRequest::Topic by_id;
  by_id.topic_id = id_of("payments");
  auto resp = metadata({by_id}, 12);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, code(ErrorCode::kTopicAuthorizationFailed));
  EXPECT_FALSE(resp.topics[0].name.has_value());
  EXPECT_TRUE(resp.topics[0].partitions.empty());
}

TEST_F(BrokerTopicIdsAuthorized, DeleteByIdNeedsDeleteAndAnswersNoName) {
  protocol::DeleteTopicsRequest in;
  in.topics.push_back({std::nullopt, id_of("payments")});
  auto resp = call<protocol::DeleteTopicsResponse>(in, 6);
  ASSERT_EQ(resp.responses.size(), 1u);
  EXPECT_EQ(resp.responses[0].error_code, code(ErrorCode::kTopicAuthorizationFailed));
  EXPECT_FALSE(resp.responses[0].name.has_value());
  EXPECT_TRUE(topics.describe("payments"));
}

TEST_F(BrokerTopicIds, OffsetCommitAndFetchV10NameTopicsById) {
  Uuid unknown_id;
  unknown_id.bytes[15] = 7;
  protocol::OffsetCommitRequest commit;
  commit.group_id = "standalone";
  commit.topics.push_back({"", {{1, 42}}, id_of("orders")});
  commit.topics.push_back({"", {{0, 7}}, unknown_id});  // no such topic
  auto committed = call<protocol::OffsetCommitResponse>(commit, 10);
  ASSERT_EQ(committed.topics.size(), 2u);
  EXPECT_EQ(committed.topics[0].topic_id, id_of("orders"));
  EXPECT_EQ(committed.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(committed.topics[1].partitions[0].error_code, code(ErrorCode::kUnknownTopicId));

  // Asked by id, and for every committed topic: answered by id.
  protocol::OffsetFetchRequest fetch;
  fetch.groups.push_back({"standalone", std::vector<protocol::OffsetFetchRequest::Topic>{
                                            {"", {1}, id_of("orders")}, {"", {0}, unknown_id}}});
  auto named = call<protocol::OffsetFetchResponse>(fetch, 10);
  ASSERT_EQ(named.groups.size(), 1u);
  ASSERT_EQ(named.groups[0].topics.size(), 2u);
  EXPECT_EQ(named.groups[0].topics[0].topic_id, id_of("orders"));
  EXPECT_EQ(named.groups[0].topics[0].partitions[0].committed_offset, 42);
  EXPECT_EQ(named.groups[0].topics[1].partitions[0].error_code, code(ErrorCode::kUnknownTopicId));
  fetch.groups[0].topics.reset();
  auto every = call<protocol::OffsetFetchResponse>(fetch, 10);
  ASSERT_EQ(every.groups[0].topics.size(), 1u);
  EXPECT_EQ(every.groups[0].topics[0].topic_id, id_of("orders"));

  // v9 still names it, and finds the offset committed by id.
  protocol::OffsetFetchRequest by_name;
  by_name.groups.push_back(
      {"standalone", std::vector<protocol::OffsetFetchRequest::Topic>{{"orders", {1}}}});
  auto v9 = call<protocol::OffsetFetchResponse>(by_name, 9);
  EXPECT_EQ(v9.groups[0].topics[0].name, "orders");
  EXPECT_EQ(v9.groups[0].topics[0].partitions[0].committed_offset, 42);
}

}  // namespace
}  // namespace sluice::broker
