// The authorizer's decisions, as Kafka's StandardAuthorizer makes them with
// allow.everyone.if.no.acl.found=false.
#include "broker/acl/acl_authorizer.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace sluice::broker::acl {
namespace {

const Requester kAlice{"User:alice", "10.0.0.1"};
const Requester kBob{"User:bob", "10.0.0.2"};

AclBinding rule(Permission permission, std::string principal, Operation op, ResourceType type,
                std::string name, PatternType pattern = PatternType::kLiteral,
                std::string host = "*") {
  return {{type, std::move(name), pattern},
          {std::move(principal), std::move(host), op, permission}};
}
AclBinding allow(std::string principal, Operation op, ResourceType type, std::string name,
                 PatternType pattern = PatternType::kLiteral, std::string host = "*") {
  return rule(Permission::kAllow, std::move(principal), op, type, std::move(name), pattern,
              std::move(host));
}
AclBinding deny(std::string principal, Operation op, ResourceType type, std::string name,
                PatternType pattern = PatternType::kLiteral) {
  return rule(Permission::kDeny, std::move(principal), op, type, std::move(name), pattern);
}

class AuthorizerTest : public ::testing::Test {
 protected:
  void grant(std::vector<AclBinding> acls) { store.add(acls); }
  bool may(const Requester& who, Operation op, const Resource& r) {
    return authorizer.allows(who, op, r);
  }

  testing::TempDir dir{"acl-authorizer"};
  AclStore store{dir.path()};
  Authorizer authorizer{store, {"User:admin"}};
};

TEST_F(AuthorizerTest, WithNoAclNothingIsAllowed) {
  EXPECT_FALSE(may(kAlice, Operation::kRead, Resource::topic("orders")));
  EXPECT_FALSE(may(kAlice, Operation::kDescribe, Resource::cluster()));
}

TEST_F(AuthorizerTest, SuperUsersMayDoEverythingEvenWhenDenied) {
  grant({deny("User:admin", Operation::kAll, ResourceType::kTopic, "*")});
  EXPECT_TRUE(may({"User:admin", "1.2.3.4"}, Operation::kDelete, Resource::topic("orders")));
}

TEST_F(AuthorizerTest, ALiteralAclAppliesToThatNameOnly) {
  grant({allow("User:alice", Operation::kRead, ResourceType::kTopic, "orders")});
  EXPECT_TRUE(may(kAlice, Operation::kRead, Resource::topic("orders")));
  EXPECT_FALSE(may(kAlice, Operation::kRead, Resource::topic("orders2")));
  EXPECT_FALSE(may(kAlice, Operation::kRead, Resource::group("orders")));
  EXPECT_FALSE(may(kBob, Operation::kRead, Resource::topic("orders")));
  EXPECT_FALSE(may(kAlice, Operation::kWrite, Resource::topic("orders")));
}

TEST_F(AuthorizerTest, TheWildcardNameAppliesToEveryResourceOfItsType) {
  grant({allow("User:alice", Operation::kRead, ResourceType::kTopic, "*")});
  EXPECT_TRUE(may(kAlice, Operation::kRead, Resource::topic("anything")));
  EXPECT_FALSE(may(kAlice, Operation::kRead, Resource::group("anything")));
}

TEST_F(AuthorizerTest, APrefixedAclAppliesToEveryNameStartingWithIt) {
  grant({allow("User:alice", Operation::kWrite, ResourceType::kTopic, "team-a.",
               PatternType::kPrefixed)});
  EXPECT_TRUE(may(kAlice, Operation::kWrite, Resource::topic("team-a.orders")));
  EXPECT_TRUE(may(kAlice, Operation::kWrite, Resource::topic("team-a.")));
  EXPECT_FALSE(may(kAlice, Operation::kWrite, Resource::topic("team-b.orders")));
  EXPECT_FALSE(may(kAlice, Operation::kWrite, Resource::topic("team-a")));
}

TEST_F(AuthorizerTest, APrefixedStarIsAPrefixNotAWildcard) {
  grant({allow("User:alice", Operation::kRead, ResourceType::kTopic, "*", PatternType::kPrefixed)});
  EXPECT_FALSE(may(kAlice, Operation::kRead, Resource::topic("orders")));
}

TEST_F(AuthorizerTest, TheWildcardPrincipalMatchesEveryUser) {
  grant({allow("User:*", Operation::kRead, ResourceType::kTopic, "public")});
  EXPECT_TRUE(may(kAlice, Operation::kRead, Resource::topic("public")));
  EXPECT_TRUE(may({"User:ANONYMOUS", "127.0.0.1"}, Operation::kRead, Resource::topic("public")));
}

TEST_F(AuthorizerTest, AHostAclAppliesOnlyToThatHost) {
  grant({allow("User:alice", Operation::kRead, ResourceType::kTopic, "orders",
               PatternType::kLiteral, "10.0.0.1")});
  EXPECT_TRUE(may(kAlice, Operation::kRead, Resource::topic("orders")));
  EXPECT_FALSE(may({"User:alice", "10.9.9.9"}, Operation::kRead, Resource::topic("orders")));
}

TEST_F(AuthorizerTest, DenyWinsOverAllowWhateverPatternCarriesIt) {
  grant({allow("User:alice", Operation::kRead, ResourceType::kTopic, "*"),
         deny("User:alice", Operation::kRead, ResourceType::kTopic, "secret.",
              PatternType::kPrefixed)});
  EXPECT_TRUE(may(kAlice, Operation::kRead, Resource::topic("orders")));
  EXPECT_FALSE(may(kAlice, Operation::kRead, Resource::topic("secret.keys")));
}

TEST_F(AuthorizerTest, ADenyForEveryUserAppliesToEachUser) {
  grant({allow("User:alice", Operation::kWrite, ResourceType::kTopic, "orders"),
         deny("User:*", Operation::kWrite, ResourceType::kTopic, "orders")});
  EXPECT_FALSE(may(kAlice, Operation::kWrite, Resource::topic("orders")));
}

TEST_F(AuthorizerTest, DenyAllRefusesEveryOperation) {
  grant({allow("User:alice", Operation::kAll, ResourceType::kTopic, "orders"),
         deny("User:alice", Operation::kAll, ResourceType::kTopic, "orders")});
  EXPECT_FALSE(may(kAlice, Operation::kDescribe, Resource::topic("orders")));
  EXPECT_FALSE(may(kAlice, Operation::kWrite, Resource::topic("orders")));
}

TEST_F(AuthorizerTest, ADenyRefusesOnlyItsOwnOperation) {
  grant({allow("User:alice", Operation::kRead, ResourceType::kTopic, "orders"),
         deny("User:alice", Operation::kRead, ResourceType::kTopic, "orders")});
  EXPECT_FALSE(may(kAlice, Operation::kRead, Resource::topic("orders")));
  // READ implies DESCRIBE, and DENY READ does not deny DESCRIBE.
  EXPECT_TRUE(may(kAlice, Operation::kDescribe, Resource::topic("orders")));
}

TEST_F(AuthorizerTest, AllowAllCoversEveryOperation) {
  grant({allow("User:alice", Operation::kAll, ResourceType::kGroup, "g")});
  for (Operation op : {Operation::kRead, Operation::kDescribe, Operation::kDelete})
    EXPECT_TRUE(may(kAlice, op, Resource::group("g"))) << name_of(op);
}

TEST_F(AuthorizerTest, DescribeIsImpliedByReadWriteDeleteAndAlter) {
  for (Operation op :
       {Operation::kRead, Operation::kWrite, Operation::kDelete, Operation::kAlter}) {
    grant({allow("User:bob", op, ResourceType::kTopic, std::string(name_of(op)))});
    EXPECT_TRUE(may(kBob, Operation::kDescribe, Resource::topic(std::string(name_of(op)))))
        << name_of(op);
  }
  grant({allow("User:bob", Operation::kCreate, ResourceType::kTopic, "created")});
  EXPECT_FALSE(may(kBob, Operation::kDescribe, Resource::topic("created")));
}

TEST_F(AuthorizerTest, DescribeConfigsIsImpliedByAlterConfigs) {
  grant({allow("User:alice", Operation::kAlterConfigs, ResourceType::kTopic, "orders")});
  EXPECT_TRUE(may(kAlice, Operation::kDescribeConfigs, Resource::topic("orders")));
  EXPECT_FALSE(may(kAlice, Operation::kDescribe, Resource::topic("orders")));
}

TEST_F(AuthorizerTest, ImpliedOperationsDoNotGoTheOtherWay) {
  grant({allow("User:alice", Operation::kDescribe, ResourceType::kTopic, "orders")});
  EXPECT_FALSE(may(kAlice, Operation::kRead, Resource::topic("orders")));
}

TEST_F(AuthorizerTest, SomeResourceOfATypeIsAllowedByAnyUncoveredAllow) {
  EXPECT_FALSE(authorizer.allows_some(kAlice, Operation::kWrite, ResourceType::kTopic));
  grant({allow("User:alice", Operation::kWrite, ResourceType::kTopic, "orders")});
  EXPECT_TRUE(authorizer.allows_some(kAlice, Operation::kWrite, ResourceType::kTopic));
  EXPECT_FALSE(authorizer.allows_some(kBob, Operation::kWrite, ResourceType::kTopic));
}

TEST_F(AuthorizerTest, SomeResourceOfATypeIsRefusedWhenDeniesCoverEveryAllow) {
  grant({allow("User:alice", Operation::kWrite, ResourceType::kTopic, "team-a.orders"),
         deny("User:alice", Operation::kWrite, ResourceType::kTopic, "team-a.",
              PatternType::kPrefixed)});
  EXPECT_FALSE(authorizer.allows_some(kAlice, Operation::kWrite, ResourceType::kTopic));
  grant({allow("User:alice", Operation::kWrite, ResourceType::kTopic, "team-b.",
               PatternType::kPrefixed)});
  EXPECT_TRUE(authorizer.allows_some(kAlice, Operation::kWrite, ResourceType::kTopic));
  grant({deny("User:alice", Operation::kAll, ResourceType::kTopic, "*")});
  EXPECT_FALSE(authorizer.allows_some(kAlice, Operation::kWrite, ResourceType::kTopic));
}

}  // namespace
}  // namespace sluice::broker::acl
