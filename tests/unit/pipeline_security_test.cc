// The pipeline file's `security:` block (pipeline/config_security.h): what it
// accepts, every mistake reported at FILE:LINE without echoing a password, and
// its files resolved against the pipeline file's directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "pipeline/pipeline_config.h"
#include "temp_dir.h"

namespace sluice::pipeline {
namespace {

const Environment kNoEnv;

const char* kStages =
    "pipeline: claims\n"
    "stages:\n"
    "  - name: ingest\n"
    "    input: claims.events\n"
    "    processor: passthrough\n";

PipelineConfig parse(const std::string& security) {
  return parse_pipeline_config(kStages + security, "p.yaml", &kNoEnv);
}

std::string error_of(const std::string& security) {
  try {
    parse(security);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(PipelineSecurity, KafkasOwnNamesAreReadInFileOrder) {
  PipelineConfig c = parse(
      "security:\n"
      "  security.protocol: sasl_ssl\n"
      "  sasl.mechanism: SCRAM-SHA-512\n"
      "  sasl.username: stages\n"
      "  sasl.password: s3cret\n"
      "  ssl.ca.location: /etc/kafka/ca.pem\n"
      "  ssl.endpoint.identification.algorithm: none\n");
  EXPECT_EQ(c.security, (kafka::Settings{{"security.protocol", "SASL_SSL"},
                                         {"sasl.mechanism", "SCRAM-SHA-512"},
                                         {"sasl.username", "stages"},
                                         {"sasl.password", "s3cret"},
                                         {"ssl.ca.location", "/etc/kafka/ca.pem"},
                                         {"ssl.endpoint.identification.algorithm", "none"}}));
}

TEST(PipelineSecurity, NoBlockMeansNoSettings) {
  EXPECT_TRUE(parse("").security.empty());
  EXPECT_TRUE(parse("security:\n").security.empty());
}

TEST(PipelineSecurity, AnUnknownKeyIsRefusedAtItsLineWithTheLikelyName) {
  EXPECT_EQ(error_of("security:\n  sasl.usernam: stages\n"),
            "p.yaml:7: security.sasl.usernam: unknown key 'sasl.usernam' in the security "
            "settings; did you mean 'sasl.username'?");
  EXPECT_EQ(error_of("security:\n  sasl.user: stages\n"),
            "p.yaml:7: security.sasl.user: unknown key 'sasl.user' in the security settings; "
            "known keys: security.protocol, sasl.mechanism, sasl.username, sasl.password, "
            "sasl.password_file, ssl.* as librdkafka names them (docs/security.md)");
  EXPECT_NE(
      error_of("security:\n  ssl.ca.locaton: ca.pem\n").find("did you mean 'ssl.ca.location'?"),
      std::string::npos);
  EXPECT_NE(error_of("security:\n  bootstrap.servers: x:9092\n").find("unknown key"),
            std::string::npos);
}

TEST(PipelineSecurity, ABadProtocolIsRefused) {
  EXPECT_EQ(error_of("security:\n  security.protocol: TLS\n"),
            "p.yaml:7: security.security.protocol: must be PLAINTEXT, SSL, SASL_PLAINTEXT or "
            "SASL_SSL, not 'TLS'; write the protocol of the cluster's listener");
}

TEST(PipelineSecurity, OneSettingGivenTwoWaysIsRefused) {
  EXPECT_EQ(error_of("security:\n  sasl.password: a\n  sasl.password_file: pw\n"),
            "p.yaml:8: security.sasl.password_file: says the same as sasl.password; keep one of "
            "them");
  EXPECT_NE(error_of("security:\n  sasl.mechanism: PLAIN\n  sasl.mechanisms: PLAIN\n")
                .find("says the same as sasl.mechanism"),
            std::string::npos);
}

TEST(PipelineSecurity, ErrorsNeverEchoAPassword) {
  const std::string e = error_of("security:\n  sasl.password: [hunter2]\n");
  EXPECT_EQ(e, "p.yaml:7: security.sasl.password: must be a non-empty text value");
  EXPECT_EQ(error_of("security: hunter2\n").find("hunter2"), std::string::npos);
}

TEST(PipelineSecurity, FilesResolveAgainstThePipelineFileAndThePasswordFileMustBeReadable) {
  testing::TempDir dir;
  const auto file = dir.path() / "pipeline.yaml";
  std::ofstream(file) << kStages
                      << "security:\n"
                         "  ssl.ca.location: certs/ca.pem\n"
                         "  sasl.password_file: secrets/stages.pw\n";
  try {
    load_pipeline_config(file.string(), &kNoEnv);
    FAIL() << "a missing password file was accepted";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.substr(0, file.string().size() + 3), file.string() + ":8:") << what;
    EXPECT_NE(what.find("cannot read the SASL password file " +
                        (dir.path() / "secrets/stages.pw").string()),
              std::string::npos)
        << what;
  }
  std::filesystem::create_directories(dir.path() / "secrets");
  std::ofstream(dir.path() / "secrets/stages.pw") << "pw\n";
  ::chmod((dir.path() / "secrets/stages.pw").c_str(), 0600);
  PipelineConfig c = load_pipeline_config(file.string(), &kNoEnv);
  EXPECT_EQ(c.security,
            (kafka::Settings{{"ssl.ca.location", (dir.path() / "certs/ca.pem").string()},
                             {"sasl.password_file", (dir.path() / "secrets/stages.pw").string()}}));
}

}  // namespace
}  // namespace sluice::pipeline
