// Which ACLs a DescribeAcls/DeleteAcls filter selects, which ACLs may be
// created, and the names the CLI and the ACL file use — as in Kafka.
#include <gtest/gtest.h>

#include "broker/acl/acl_model.h"

namespace sluice::broker::acl {
namespace {

const AclBinding kLiteral{{ResourceType::kTopic, "orders", PatternType::kLiteral},
                          {"User:alice", "*", Operation::kRead, Permission::kAllow}};
const AclBinding kPrefixed{{ResourceType::kTopic, "ord", PatternType::kPrefixed},
                           {"User:bob", "10.0.0.1", Operation::kWrite, Permission::kDeny}};
const AclBinding kWildcard{{ResourceType::kTopic, "*", PatternType::kLiteral},
                           {"User:*", "*", Operation::kDescribe, Permission::kAllow}};

TEST(AclFilter, TheEmptyFilterMatchesEveryAcl) {
  AclFilter any;
  EXPECT_TRUE(any.matches(kLiteral));
  EXPECT_TRUE(any.matches(kPrefixed));
}

TEST(AclFilter, EachSetFieldMustBeEqual) {
  AclFilter f;
  f.principal = "User:alice";
  EXPECT_TRUE(f.matches(kLiteral));
  EXPECT_FALSE(f.matches(kPrefixed));
  f = {};
  f.host = "10.0.0.1";
  EXPECT_FALSE(f.matches(kLiteral));
  EXPECT_TRUE(f.matches(kPrefixed));
  f = {};
  f.operation = Operation::kWrite;
  f.permission = Permission::kDeny;
  EXPECT_TRUE(f.matches(kPrefixed));
  f.type = ResourceType::kGroup;
  EXPECT_FALSE(f.matches(kPrefixed));
}

TEST(AclFilter, ANameWithAPatternTypeSelectsThatExactPattern) {
  AclFilter f;
  f.name = "ord";
  f.pattern = PatternType::kPrefixed;
  EXPECT_TRUE(f.matches(kPrefixed));
  f.pattern = PatternType::kLiteral;
  EXPECT_FALSE(f.matches(kPrefixed));
  f.pattern = PatternType::kAny;
  EXPECT_TRUE(f.matches(kPrefixed));
  EXPECT_FALSE(f.matches(kLiteral));
}

TEST(AclFilter, MatchSelectsEveryPatternThatAppliesToTheName) {
  AclFilter f;
  f.name = "orders";
  f.pattern = PatternType::kMatch;
  EXPECT_TRUE(f.matches(kLiteral));
  EXPECT_TRUE(f.matches(kPrefixed));
  EXPECT_TRUE(f.matches(kWildcard));
  f.name = "payments";
  EXPECT_FALSE(f.matches(kLiteral));
  EXPECT_FALSE(f.matches(kPrefixed));
  EXPECT_TRUE(f.matches(kWildcard));
}

TEST(AclFilter, UnknownValuesMakeAFilterInvalid) {
  AclFilter f;
  EXPECT_FALSE(f.invalid_reason());
  f.operation = Operation::kUnknown;
  EXPECT_TRUE(f.invalid_reason());
}

TEST(AclBinding, OnlyConcreteAclsMayBeCreated) {
  EXPECT_FALSE(invalid_reason(kLiteral));
  auto with = [](auto change) {
    AclBinding b = kLiteral;
    change(b);
    return invalid_reason(b).has_value();
  };
  EXPECT_TRUE(with([](AclBinding& b) { b.pattern.type = ResourceType::kAny; }));
  EXPECT_TRUE(with([](AclBinding& b) { b.pattern.pattern = PatternType::kMatch; }));
  EXPECT_TRUE(with([](AclBinding& b) { b.pattern.name.clear(); }));
  EXPECT_TRUE(with([](AclBinding& b) { b.entry.operation = Operation::kAny; }));
  EXPECT_TRUE(with([](AclBinding& b) { b.entry.permission = Permission::kAny; }));
  EXPECT_TRUE(with([](AclBinding& b) { b.entry.principal = "alice"; }));
  EXPECT_TRUE(with([](AclBinding& b) { b.entry.host.clear(); }));
  // Kafka's codes for delegation tokens (CreateAcls v3 allows the USER type).
  EXPECT_TRUE(with([](AclBinding& b) { b.pattern.type = ResourceType(7); }));
  EXPECT_TRUE(with([](AclBinding& b) { b.pattern.type = ResourceType(6); }));
  EXPECT_TRUE(with([](AclBinding& b) { b.entry.operation = Operation(14); }));
  EXPECT_TRUE(with([](AclBinding& b) { b.entry.permission = Permission(9); }));
}

TEST(AclBinding, TheClusterResourceIsCalledKafkaCluster) {
  AclBinding b{{ResourceType::kCluster, "kafka-cluster", PatternType::kLiteral},
               {"User:alice", "*", Operation::kAlter, Permission::kAllow}};
  EXPECT_FALSE(invalid_reason(b));
  b.pattern.name = "my-cluster";
  EXPECT_TRUE(invalid_reason(b));
}

TEST(AclNames, ParseKafkasAndKafkaAclsSpellings) {
  EXPECT_EQ(parse_resource_type("TransactionalId"), ResourceType::kTransactionalId);
  EXPECT_EQ(parse_resource_type("TRANSACTIONAL_ID"), ResourceType::kTransactionalId);
  EXPECT_EQ(parse_operation("IdempotentWrite"), Operation::kIdempotentWrite);
  EXPECT_EQ(parse_operation("describe-configs"), Operation::kDescribeConfigs);
  EXPECT_EQ(parse_pattern_type("prefixed"), PatternType::kPrefixed);
  EXPECT_EQ(parse_permission("Deny"), Permission::kDeny);
  EXPECT_FALSE(parse_operation("UNKNOWN"));
  EXPECT_FALSE(parse_operation("fly"));
  EXPECT_EQ(name_of(Operation::kClusterAction), "CLUSTER_ACTION");
}

}  // namespace
}  // namespace sluice::broker::acl
