// The broker's handlers under `--authorizer acl`: each API asks for the
// operation Kafka asks for and answers Kafka's *_AUTHORIZATION_FAILED code
// (docs/security.md has the table). Requests go through the same codec and
// handler table the connection uses, as User:alice from 10.0.0.1.
#include <gtest/gtest.h>

#include "broker/handlers/handlers.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/acls.h"
#include "broker/protocol/messages/admin.h"
#include "broker/protocol/messages/groups.h"
#include "broker/protocol/messages/metadata.h"
#include "broker/protocol/messages/offsets.h"
#include "broker/protocol/messages/topics.h"
#include "handler_call.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

using acl::Operation;
using acl::PatternType;
using acl::Permission;
using acl::ResourceType;
using protocol::ErrorCode;

using protocol::code;

class BrokerAuthorization : public ::testing::Test, protected sluice::testing::BrokerHarness {
 protected:
  BrokerAuthorization() : BrokerHarness("broker-authz") {
    ctx.authorizer = &authorizer;
    session.principal = "User:alice";
    session.host = "10.0.0.1";
    topics.create_topic("orders", 1, {});
    topics.create_topic("payments", 1, {});
  }

  void grant(Permission permission, Operation op, ResourceType type, std::string name,
             PatternType pattern = PatternType::kLiteral, std::string principal = "User:alice") {
    acls.add({{{type, std::move(name), pattern}, {std::move(principal), "*", op, permission}}});
  }
  void allow(Operation op, ResourceType type, std::string name,
             PatternType pattern = PatternType::kLiteral) {
    grant(Permission::kAllow, op, type, std::move(name), pattern);
  }

  protocol::MetadataResponse metadata(std::optional<std::vector<std::string>> names) {
    protocol::MetadataRequest in;
    if (names) {
      in.topics.emplace();
      for (auto& n : *names) in.topics->push_back({n});
    }
    in.allow_auto_topic_creation = false;
    return call<protocol::MetadataResponse>(in, 4);
  }

  acl::AclStore acls{dir.path()};
  acl::Authorizer authorizer{acls, {"User:admin"}};
};

TEST_F(BrokerAuthorization, MetadataForEveryTopicOmitsThoseTheCallerMayNotDescribe) {
  allow(Operation::kRead, ResourceType::kTopic, "orders");  // READ implies DESCRIBE
  auto resp = metadata(std::nullopt);
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].name, "orders");
  EXPECT_TRUE(ctx.denials.counts().empty()) << "hiding is not a denial";
}

TEST_F(BrokerAuthorization, MetadataForANamedTopicAnswersTopicAuthorizationFailed) {
  auto resp = metadata(std::vector<std::string>{"payments"});
  ASSERT_EQ(resp.topics.size(), 1u);
  EXPECT_EQ(resp.topics[0].error_code, code(ErrorCode::kTopicAuthorizationFailed));
  EXPECT_TRUE(resp.topics[0].partitions.empty());
  EXPECT_EQ((ctx.denials.counts()[{ResourceType::kTopic, Operation::kDescribe}]), 1u);
}

TEST_F(BrokerAuthorization, CreateTopicsNeedsCreateOnTheClusterOrTheTopic) {
  protocol::CreateTopicsRequest in;
  in.topics.push_back({"new-a", 1, 1, {}, {}});
  in.topics.push_back({"new-b", 1, 1, {}, {}});
  allow(Operation::kCreate, ResourceType::kTopic, "new-a");
  auto resp = call<protocol::CreateTopicsResponse>(in, 0);
  ASSERT_EQ(resp.topics.size(), 2u);
  EXPECT_EQ(resp.topics[0].error_code, 0);
  EXPECT_EQ(resp.topics[1].error_code, code(ErrorCode::kTopicAuthorizationFailed));
  allow(Operation::kCreate, ResourceType::kCluster, "kafka-cluster");
  resp = call<protocol::CreateTopicsResponse>(in, 0);
  EXPECT_EQ(resp.topics[1].error_code, 0);
}

TEST_F(BrokerAuthorization, DeleteTopicsNeedsDeleteAndADenyWinsOverAPrefixedAllow) {
  allow(Operation::kDelete, ResourceType::kTopic, "orders");
  allow(Operation::kDelete, ResourceType::kTopic, "pay", PatternType::kPrefixed);
  grant(Permission::kDeny, Operation::kDelete, ResourceType::kTopic, "payments");
  protocol::DeleteTopicsRequest in;
  in.topic_names = {"orders", "payments"};
  auto resp = call<protocol::DeleteTopicsResponse>(in, 0);
  ASSERT_EQ(resp.responses.size(), 2u);
  EXPECT_EQ(resp.responses[0].error_code, 0);
  EXPECT_EQ(resp.responses[1].error_code, code(ErrorCode::kTopicAuthorizationFailed));
  EXPECT_TRUE(topics.describe("payments").has_value());
}

TEST_F(BrokerAuthorization, BrokerConfigsNeedDescribeConfigsOnTheCluster) {
  protocol::DescribeConfigsRequest in;
  in.resources.push_back({protocol::DescribeConfigsRequest::kBroker, "0", std::nullopt});
  in.resources.push_back({protocol::DescribeConfigsRequest::kTopic, "orders", std::nullopt});
  allow(Operation::kAlterConfigs, ResourceType::kTopic, "orders");  // implies DESCRIBE_CONFIGS
  auto resp = call<protocol::DescribeConfigsResponse>(in, 1);
  ASSERT_EQ(resp.results.size(), 2u);
  EXPECT_EQ(resp.results[0].error_code, code(ErrorCode::kClusterAuthorizationFailed));
  EXPECT_EQ(resp.results[1].error_code, 0);
}

TEST_F(BrokerAuthorization, AnIdempotentProducerIdNeedsWriteOnSomeTopicOrIdempotentWrite) {
  protocol::InitProducerIdRequest in;
  EXPECT_EQ(call<protocol::InitProducerIdResponse>(in, 0).error_code,
            code(ErrorCode::kClusterAuthorizationFailed));
  allow(Operation::kWrite, ResourceType::kTopic, "orders");
  auto resp = call<protocol::InitProducerIdResponse>(in, 0);
  EXPECT_EQ(resp.error_code, 0);
  EXPECT_GE(resp.producer_id, 0);
  in.transactional_id = "tx-1";
  EXPECT_EQ(call<protocol::InitProducerIdResponse>(in, 0).error_code,
            code(ErrorCode::kTransactionalIdAuthorizationFailed));
}

TEST_F(BrokerAuthorization, GroupApisNeedReadOnTheGroup) {
  protocol::HeartbeatRequest hb;
  hb.group_id = "g";
  EXPECT_EQ(call<protocol::ErrorOnlyResponse>(hb, 0).error_code,
            code(ErrorCode::kGroupAuthorizationFailed));
  protocol::FindCoordinatorRequest find;
  find.key = "g";
  EXPECT_EQ(call<protocol::FindCoordinatorResponse>(find, 1).error_code,
            code(ErrorCode::kGroupAuthorizationFailed));
  allow(Operation::kRead, ResourceType::kGroup, "g");
  EXPECT_EQ(call<protocol::FindCoordinatorResponse>(find, 1).error_code, 0);
  EXPECT_NE(call<protocol::ErrorOnlyResponse>(hb, 0).error_code,
            code(ErrorCode::kGroupAuthorizationFailed));
}

TEST_F(BrokerAuthorization, BatchedFindCoordinatorAndOffsetFetchAuthorizeEachKeyAndGroup) {
  allow(Operation::kDescribe, ResourceType::kGroup, "mine");
  protocol::FindCoordinatorRequest find;
  find.coordinator_keys = {"mine", "theirs"};
  auto found = call<protocol::FindCoordinatorResponse>(find, 4);
  ASSERT_EQ(found.coordinators.size(), 2u);
  EXPECT_EQ(found.coordinators[0].error_code, 0);
  EXPECT_EQ(found.coordinators[1].key, "theirs");
  EXPECT_EQ(found.coordinators[1].error_code, code(ErrorCode::kGroupAuthorizationFailed));

  allow(Operation::kRead, ResourceType::kGroup, "mine");
  allow(Operation::kDescribe, ResourceType::kTopic, "orders");
  protocol::OffsetFetchRequest fetch;
  fetch.groups.push_back({"mine", std::nullopt});
  fetch.groups.push_back({"theirs", std::nullopt});
  auto fetched = call<protocol::OffsetFetchResponse>(fetch, 8);
  ASSERT_EQ(fetched.groups.size(), 2u);
  EXPECT_EQ(fetched.groups[0].error_code, 0);
  EXPECT_EQ(fetched.groups[1].group_id, "theirs");
  EXPECT_EQ(fetched.groups[1].error_code, code(ErrorCode::kGroupAuthorizationFailed));
}

TEST_F(BrokerAuthorization, SuperUsersAreNeverRefused) {
  session.principal = "User:admin";
  EXPECT_EQ(metadata(std::nullopt).topics.size(), 2u);
}

TEST_F(BrokerAuthorization, ManagingAclsNeedsAlterOnTheCluster) {
  protocol::CreateAclsRequest create;
  create.creations.push_back({int8_t(ResourceType::kTopic), "orders",
                              int8_t(PatternType::kPrefixed), "User:bob", "*",
                              int8_t(Operation::kRead), int8_t(Permission::kAllow)});
  auto refused = call<protocol::CreateAclsResponse>(create, 1);
  ASSERT_EQ(refused.results.size(), 1u);
  EXPECT_EQ(refused.results[0].error_code, code(ErrorCode::kClusterAuthorizationFailed));
  EXPECT_TRUE(acls.snapshot()->empty());

  session.principal = "User:admin";
  EXPECT_EQ(call<protocol::CreateAclsResponse>(create, 1).results[0].error_code, 0);
  protocol::DescribeAclsRequest describe;
  describe.filter = {int8_t(ResourceType::kAny),
                     std::nullopt,
                     int8_t(PatternType::kAny),
                     std::nullopt,
                     std::nullopt,
                     int8_t(Operation::kAny),
                     int8_t(Permission::kAny)};
  auto listed = call<protocol::DescribeAclsResponse>(describe, 1);
  ASSERT_EQ(listed.resources.size(), 1u);
  EXPECT_EQ(listed.resources[0].pattern_type, int8_t(PatternType::kPrefixed));
  EXPECT_EQ(listed.resources[0].acls[0].principal, "User:bob");
  // v0 knows only literal patterns: its filter selects none of the prefixed ones.
  EXPECT_TRUE(call<protocol::DescribeAclsResponse>(describe, 0).resources.empty());

  protocol::DeleteAclsRequest del;
  del.filters.push_back(describe.filter);
  auto deleted = call<protocol::DeleteAclsResponse>(del, 1);
  ASSERT_EQ(deleted.filter_results.size(), 1u);
  EXPECT_EQ(deleted.filter_results[0].matching_acls.size(), 1u);
  EXPECT_TRUE(acls.snapshot()->empty());
}

TEST_F(BrokerAuthorization, InvalidAclsAreRefusedOneByOne) {
  session.principal = "User:admin";
  protocol::CreateAclsRequest create;
  create.creations.push_back({int8_t(ResourceType::kCluster), "not-kafka-cluster",
                              int8_t(PatternType::kLiteral), "User:bob", "*",
                              int8_t(Operation::kAlter), int8_t(Permission::kAllow)});
  create.creations.push_back({int8_t(ResourceType::kGroup), "g", int8_t(PatternType::kLiteral),
                              "User:bob", "*", int8_t(Operation::kRead),
                              int8_t(Permission::kAllow)});
  auto resp = call<protocol::CreateAclsResponse>(create, 1);
  ASSERT_EQ(resp.results.size(), 2u);
  EXPECT_EQ(resp.results[0].error_code, code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(resp.results[1].error_code, 0);
  EXPECT_EQ(acls.snapshot()->size(), 1u);
}

TEST_F(BrokerAuthorization, WithoutAnAuthorizerEverythingIsAllowedAndAclApisAreDisabled) {
  ctx.authorizer = nullptr;
  EXPECT_EQ(metadata(std::nullopt).topics.size(), 2u);
  protocol::DescribeAclsRequest describe;
  EXPECT_EQ(call<protocol::DescribeAclsResponse>(describe, 1).error_code,
            code(ErrorCode::kSecurityDisabled));
}

}  // namespace
}  // namespace sluice::broker
