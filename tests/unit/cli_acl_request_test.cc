// How `sluice acls` turns kafka-acls-shaped flags into ACLs and filters.
#include <gtest/gtest.h>

#include "cli/acls/acl_request.h"

namespace sluice::cli {
namespace {

namespace acl = broker::acl;

TEST(AclRequest, AddExpandsResourcesPrincipalsHostsAndOperations) {
  AclFlags f;
  f.topics = {"orders", "payments"};
  f.allow_principals = {"User:alice"};
  f.deny_principals = {"User:bob"};
  f.deny_hosts = {"10.0.0.9"};
  f.operations = {"Read", "Write"};
  auto acls = acls_to_add(f);
  ASSERT_EQ(acls.size(), 8u);
  EXPECT_EQ(acls[0].pattern.name, "orders");
  EXPECT_EQ(acls[0].entry.host, "*");
  EXPECT_EQ(acls[0].entry.permission, acl::Permission::kAllow);
  EXPECT_EQ(acls.back().entry.principal, "User:bob");
  EXPECT_EQ(acls.back().entry.host, "10.0.0.9");
  EXPECT_EQ(acls.back().entry.permission, acl::Permission::kDeny);
}

TEST(AclRequest, AddDefaultsToAllOperationsAndLiteralNames) {
  AclFlags f;
  f.cluster = true;
  f.allow_principals = {"User:ANONYMOUS"};
  auto acls = acls_to_add(f);
  ASSERT_EQ(acls.size(), 1u);
  EXPECT_EQ(acls[0].pattern.type, acl::ResourceType::kCluster);
  EXPECT_EQ(acls[0].pattern.name, "kafka-cluster");
  EXPECT_EQ(acls[0].pattern.pattern, acl::PatternType::kLiteral);
  EXPECT_EQ(acls[0].entry.operation, acl::Operation::kAll);
}

TEST(AclRequest, AddRefusesWhatKafkaAclsRefuses) {
  AclFlags f;
  f.allow_principals = {"User:alice"};
  EXPECT_THROW(acls_to_add(f), std::invalid_argument);  // no resource
  f.groups = {"g"};
  f.pattern_type = "match";
  EXPECT_THROW(acls_to_add(f), std::invalid_argument);
  f.pattern_type = "prefixed";
  f.operations = {"Fly"};
  EXPECT_THROW(acls_to_add(f), std::invalid_argument);
  f.operations = {};
  f.allow_principals = {"alice"};
  EXPECT_THROW(acls_to_add(f), std::invalid_argument);  // not User:NAME
}

TEST(AclRequest, ListWithoutAResourceSelectsEveryAcl) {
  auto filters = acl_filters({}, false);
  ASSERT_EQ(filters.size(), 1u);
  acl::AclBinding any{{acl::ResourceType::kGroup, "g", acl::PatternType::kPrefixed},
                      {"User:x", "1.2.3.4", acl::Operation::kRead, acl::Permission::kDeny}};
  EXPECT_TRUE(filters[0].matches(any));
  EXPECT_THROW(acl_filters({}, true), std::invalid_argument);
}

TEST(AclRequest, DeleteNarrowsByPrincipalAndOperation) {
  AclFlags f;
  f.topics = {"orders"};
  f.principals = {"User:alice"};
  f.operations = {"Read"};
  auto filters = acl_filters(f, true);
  ASSERT_EQ(filters.size(), 1u);
  acl::AclBinding read{{acl::ResourceType::kTopic, "orders", acl::PatternType::kLiteral},
                       {"User:alice", "*", acl::Operation::kRead, acl::Permission::kAllow}};
  EXPECT_TRUE(filters[0].matches(read));
  read.entry.operation = acl::Operation::kWrite;
  EXPECT_FALSE(filters[0].matches(read));
}

TEST(AclRequest, EntriesRoundTripThroughTheAdminApiShape) {
  acl::AclBinding b{{acl::ResourceType::kTransactionalId, "tx-", acl::PatternType::kPrefixed},
                    {"User:a", "10.0.0.1", acl::Operation::kWrite, acl::Permission::kDeny}};
  EXPECT_EQ(from_entry(to_entry(b)), b);
}

}  // namespace
}  // namespace sluice::cli
