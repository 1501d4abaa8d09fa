// Describe/AlterUserScramCredentials as Kafka answers them (KIP-554): per-user
// results and error codes, all-or-nothing per user; and super.users parsing.
#include <gtest/gtest.h>

#include "broker/protocol/errors.h"
#include "broker/security/plain_exchange.h"
#include "broker/security/scram_admin.h"
#include "broker/security/super_users.h"
#include "temp_dir.h"

namespace sluice::broker::security {
namespace {

using protocol::AlterUserScramCredentialsRequest;
using protocol::ErrorCode;

AlterUserScramCredentialsRequest::Upsertion upsertion(const std::string& user, ScramMechanism m,
                                                      const std::string& password,
                                                      int32_t iterations = 4096) {
  std::string salt = random_bytes(16);
  std::string salted = salted_password(m, password, salt, iterations);
  AlterUserScramCredentialsRequest::Upsertion u{user, int8_t(m), iterations};
  u.salt.data.assign(salt.begin(), salt.end());
  u.salted_password.data.assign(salted.begin(), salted.end());
  return u;
}

int16_t error_of(const protocol::AlterUserScramCredentialsResponse& r, const std::string& user) {
  for (const auto& result : r.results) {
    if (result.user == user) return result.error_code;
  }
  ADD_FAILURE() << "no result for " << user;
  return -2;
}

TEST(ScramAdmin, UpsertsThenDescribesWithoutRevealingKeys) {
  testing::TempDir dir("sluice-scram-admin");
  ScramCredentialStore store(dir.path());
  AlterUserScramCredentialsRequest alter;
  alter.upsertions = {upsertion("alice", ScramMechanism::kSha256, "pw", 4096),
                      upsertion("alice", ScramMechanism::kSha512, "pw", 8192)};
  auto altered = alter_scram_credentials(store, alter);
  ASSERT_EQ(altered.results.size(), 1u);
  EXPECT_EQ(altered.results[0].error_code, 0);
  EXPECT_TRUE(password_matches(store, "alice", "pw"));

  auto described = describe_scram_credentials(store, {});
  ASSERT_EQ(described.results.size(), 1u);
  ASSERT_EQ(described.results[0].credential_infos.size(), 2u);
  EXPECT_EQ(described.results[0].credential_infos[1].iterations, 8192);

  protocol::DescribeUserScramCredentialsRequest named;
  named.users = {{"alice"}, {"nobody"}, {"alice"}};
  auto partial = describe_scram_credentials(store, named);
  ASSERT_EQ(partial.results.size(), 3u);
  EXPECT_EQ(partial.results[1].error_code, protocol::code(ErrorCode::kResourceNotFound));
  EXPECT_EQ(partial.results[2].error_code, protocol::code(ErrorCode::kDuplicateResource));
}

TEST(ScramAdmin, RefusesPerUserAndAppliesNothingForARefusedUser) {
  testing::TempDir dir("sluice-scram-admin");
  ScramCredentialStore store(dir.path());
  AlterUserScramCredentialsRequest alter;
  alter.upsertions = {upsertion("weak", ScramMechanism::kSha256, "pw", 1000),
                      upsertion("twice", ScramMechanism::kSha256, "pw"),
                      upsertion("twice", ScramMechanism::kSha256, "pw"),
                      upsertion("mixed", ScramMechanism::kSha512, "pw"),
                      upsertion("fine", ScramMechanism::kSha256, "pw")};
  alter.upsertions[3].mechanism = 7;
  alter.deletions = {{"ghost", int8_t(ScramMechanism::kSha256)}};
  auto r = alter_scram_credentials(store, alter);
  EXPECT_EQ(error_of(r, "weak"), protocol::code(ErrorCode::kUnacceptableCredential));
  EXPECT_EQ(error_of(r, "twice"), protocol::code(ErrorCode::kDuplicateResource));
  EXPECT_EQ(error_of(r, "mixed"), protocol::code(ErrorCode::kUnsupportedSaslMechanism));
  EXPECT_EQ(error_of(r, "ghost"), protocol::code(ErrorCode::kResourceNotFound));
  EXPECT_EQ(error_of(r, "fine"), 0);
  EXPECT_EQ(store.all().size(), 1u);
  EXPECT_TRUE(store.of_user("twice").empty());

  AlterUserScramCredentialsRequest remove;
  remove.deletions = {{"fine", int8_t(ScramMechanism::kSha256)}};
  EXPECT_EQ(error_of(alter_scram_credentials(store, remove), "fine"), 0);
  EXPECT_TRUE(store.all().empty());
}

TEST(SuperUsers, ParsesKafkasListAndRefusesBareNames) {
  EXPECT_EQ(parse_super_users("User:a; User:b;;"), (std::set<std::string>{"User:a", "User:b"}));
  EXPECT_TRUE(parse_super_users("").empty());
  EXPECT_THROW(parse_super_users("admin"), std::invalid_argument);

  BrokerOptions options;
  options.super_users = {"User:admin"};
  Session session;
  EXPECT_TRUE(may_manage_credentials(options, session)) << "PLAINTEXT has no principals";
  session.security_protocol = "SASL_PLAINTEXT";
  session.principal = "User:admin";
  EXPECT_FALSE(may_manage_credentials(options, session)) << "not authenticated yet";
  session.authenticated = true;
  EXPECT_TRUE(may_manage_credentials(options, session));
  session.principal = "User:alice";
  EXPECT_FALSE(may_manage_credentials(options, session));
}

}  // namespace
}  // namespace sluice::broker::security
