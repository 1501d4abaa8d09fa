// The profile's Kafka security settings: what it accepts and what it hands to
// src/kafka/client_security.h (relative file names resolved against the profile).
#include <gtest/gtest.h>

#include "cli/support/profile.h"

namespace sluice::cli {
namespace {

TEST(ProfileSecurity, SettingsAreHandedToEveryClientWithFilesNextToTheProfile) {
  Profile p = parse_profile(
      "bootstrap: b:9092\n"
      "security.protocol: SASL_PLAINTEXT\n"
      "sasl.mechanisms: SCRAM-SHA-512\n"
      "sasl.username: alice\n"
      "sasl.password_file: alice.pw\n"
      "ssl.ca.location: /etc/ca.pem\n",
      "/home/a/.config/sluice/config.yaml");
  EXPECT_EQ(p.bootstrap, "b:9092");
  auto settings = profile_security(p);
  std::map<std::string, std::string> got(settings.begin(), settings.end());
  EXPECT_EQ(got, (std::map<std::string, std::string>{
                     {"security.protocol", "SASL_PLAINTEXT"},
                     {"sasl.mechanism", "SCRAM-SHA-512"},
                     {"sasl.username", "alice"},
                     {"sasl.password_file", "/home/a/.config/sluice/alice.pw"},
                     {"ssl.ca.location", "/etc/ca.pem"},
                 }));
}

TEST(ProfileSecurity, AnSslKeyLibrdkafkaDoesNotKnowIsRefused) {
  EXPECT_THROW(parse_profile("ssl.ca.locaton: /etc/ca.pem\n", "p.yaml"), std::invalid_argument);
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
