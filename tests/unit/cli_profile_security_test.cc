// The profile's Kafka security settings and the SLUICE_* variables they become
// (the ones src/kafka/client_security.h hands to librdkafka).
#include <gtest/gtest.h>

#include "cli/support/profile.h"

namespace sluice::cli {
namespace {

TEST(ProfileSecurity, SettingsBecomeTheVariablesEveryClientReads) {
  Profile p = parse_profile(
      "bootstrap: b:9092\n"
      "security.protocol: SASL_PLAINTEXT\n"
      "sasl.mechanisms: SCRAM-SHA-512\n"
      "sasl.username: alice\n"
      "sasl.password: pw\n"
      "ssl.ca.location: /etc/ca.pem\n",
      "p.yaml");
  EXPECT_EQ(p.bootstrap, "b:9092");
  auto env = security_environment(p);
  std::map<std::string, std::string> got(env.begin(), env.end());
  EXPECT_EQ(got, (std::map<std::string, std::string>{
                     {"SLUICE_SECURITY_PROTOCOL", "SASL_PLAINTEXT"},
                     {"SLUICE_SASL_MECHANISM", "SCRAM-SHA-512"},
                     {"SLUICE_SASL_USERNAME", "alice"},
                     {"SLUICE_SASL_PASSWORD", "pw"},
                     {"SLUICE_SSL_CA_LOCATION", "/etc/ca.pem"},
                 }));
}

TEST(ProfileSecurity, UnknownKeysStillFailNamingTheKnownOnes) {
  try {
    parse_profile("sasl.user: alice\n", "p.yaml");
    FAIL() << "a typo was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sasl.username"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sluice::cli
