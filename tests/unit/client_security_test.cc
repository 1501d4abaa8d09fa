// How the Kafka layer combines the three sources of a client's login
// (kafka/client_security.h): environment over pipeline file over profile, the
// pipeline's block replacing the profile's as a whole, and the password given
// inline or as a file being one setting.
#include "kafka/client_security.h"

#include <gtest/gtest.h>

namespace sluice::kafka {
namespace {

const Settings kProfile = {{"security.protocol", "SASL_PLAINTEXT"},
                           {"sasl.mechanism", "PLAIN"},
                           {"sasl.username", "me"},
                           {"sasl.password", "mine"},
                           {"ssl.ca.location", "/home/me/ca.pem"}};

TEST(ClientSecurity, WithoutAPipelineBlockTheProfileIsTheLogin) {
  EXPECT_EQ(merge_security(kProfile, {}, {}), (Settings{{"sasl.mechanisms", "PLAIN"},
                                                        {"sasl.password", "mine"},
                                                        {"sasl.username", "me"},
                                                        {"security.protocol", "SASL_PLAINTEXT"},
                                                        {"ssl.ca.location", "/home/me/ca.pem"}}));
}

TEST(ClientSecurity, APipelineBlockReplacesTheProfileAsAWhole) {
  const Settings pipeline = {{"security.protocol", "SASL_SSL"},
                             {"sasl.mechanism", "SCRAM-SHA-512"},
                             {"sasl.username", "stages"},
                             {"sasl.password_file", "/run/secrets/stages"}};
  EXPECT_EQ(merge_security(kProfile, pipeline, {}),
            (Settings{{"sasl.mechanisms", "SCRAM-SHA-512"},
                      {"sasl.password_file", "/run/secrets/stages"},
                      {"sasl.username", "stages"},
                      {"security.protocol", "SASL_SSL"}}));
}

TEST(ClientSecurity, TheEnvironmentWinsKeyByKeyAndAPasswordReplacesAPasswordFile) {
  const Settings pipeline = {{"security.protocol", "SASL_SSL"},
                             {"sasl.username", "stages"},
                             {"sasl.password_file", "/run/secrets/stages"}};
  const Settings env = {{"sasl.password", "from-env"}, {"ssl.ca.location", "/ca.pem"}};
  EXPECT_EQ(merge_security(kProfile, pipeline, env), (Settings{{"sasl.password", "from-env"},
                                                               {"sasl.username", "stages"},
                                                               {"security.protocol", "SASL_SSL"},
                                                               {"ssl.ca.location", "/ca.pem"}}));
  EXPECT_EQ(merge_security(kProfile, {}, {{"sasl.password_file", "/pw"}}),
            (Settings{{"sasl.mechanisms", "PLAIN"},
                      {"sasl.password_file", "/pw"},
                      {"sasl.username", "me"},
                      {"security.protocol", "SASL_PLAINTEXT"},
                      {"ssl.ca.location", "/home/me/ca.pem"}}));
}

TEST(ClientSecurity, SettingsTravelToAChildAsTheVariablesItReads) {
  EXPECT_EQ(security_environment({{"security.protocol", "SSL"},
                                  {"sasl.mechanisms", "PLAIN"},
                                  {"sasl.password_file", "/pw"},
                                  {"ssl.ca.location", "/ca.pem"},
                                  {"enable.ssl.certificate.verification", "false"}}),
            (Settings{{"SLUICE_SECURITY_PROTOCOL", "SSL"},
                      {"SLUICE_SASL_MECHANISM", "PLAIN"},
                      {"SLUICE_SASL_PASSWORD_FILE", "/pw"},
                      {"SLUICE_SSL_CA_LOCATION", "/ca.pem"},
                      {"SLUICE_ENABLE_SSL_CERTIFICATE_VERIFICATION", "false"}}));
}

TEST(ClientSecurity, OnlyKafkasSecurityKeysAreKnown) {
  EXPECT_TRUE(is_client_security_key("ssl.key.password"));
  EXPECT_TRUE(is_client_security_key("sasl.password_file"));
  EXPECT_FALSE(is_client_security_key("ssl.ca.locaton"));
  EXPECT_FALSE(is_client_security_key("bootstrap.servers"));
}

}  // namespace
}  // namespace sluice::kafka
