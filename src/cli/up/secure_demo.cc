#include "cli/up/secure_demo.h"

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "cli/support/profile.h"
#include "cli/up/replace_file.h"
#include "cli/users/offline_credentials.h"
#include "common/secret_file.h"
#include "kafka/client_security.h"

namespace sluice::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUser = "sluice";
constexpr const char* kMechanism = "SCRAM-SHA-512";
constexpr const char* kPasswordWhat = "password file of the `sluice up --secure` user";
constexpr int kPasswordBytes = 24;

// A password kept from an earlier run, so clients an operator configured keep working.
std::string ensure_password(const std::string& path) {
  if (!fs::exists(path))
    write_secret_file(path, random_secret_hex(kPasswordBytes) + "\n", kPasswordWhat);
  return read_secret_file(path, kPasswordWhat);
}

// The operator's own SLUICE_SECURITY_PROTOCOL, SLUICE_SASL_*, SLUICE_SSL_* would
// mix into the demo's login: they are set aside for this process and its children.
void set_aside_inherited_login() {
  for (const auto& [variable, value] :
       kafka::security_environment(kafka::security_settings_from_environment())) {
    std::fprintf(
        stderr,
        "sluice up --secure: ignoring %s from the environment (the demo logs in as its own user)\n",
        variable.c_str());
    ::unsetenv(variable.c_str());
  }
}

// A YAML double-quoted scalar, so any path reads back as written.
std::string yaml_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

SecureDemo::SecureDemo(const fs::path& data_dir, const fs::path& broker_data_dir)
    : dir_(data_dir / "security"),
      certificates_(ensure_demo_certificates(dir_)),
      password_file_((dir_ / (std::string(kUser) + ".password")).string()),
      profile_file_((dir_ / "profile.yaml").string()) {
  const std::string password = ensure_password(password_file_);
  fs::create_directories(broker_data_dir);
  OfflineCredentials(broker_data_dir)
      .upsert(kUser, ScramMechanism::kSha512, broker::security::kMinScramIterations, password);
  set_aside_inherited_login();
  kafka::use_profile_security({});  // the operator's profile, likewise
}

std::vector<std::string> SecureDemo::broker_args() const {
  return {"--security-protocol",
          "SASL_SSL",
          "--ssl-certificate",
          certificates_.broker_certificate,
          "--ssl-key",
          certificates_.broker_key,
          "--sasl-enabled-mechanisms",
          kMechanism,
          "--super-users",
          std::string("User:") + kUser};
}

EnvVars SecureDemo::client_environment() const {
  return {{"SLUICE_SECURITY_PROTOCOL", "SASL_SSL"},
          {"SLUICE_SASL_MECHANISM", kMechanism},
          {"SLUICE_SASL_USERNAME", kUser},
          {"SLUICE_SASL_PASSWORD_FILE", password_file_},
          {"SLUICE_SSL_CA_LOCATION", certificates_.ca_certificate},
          {"SLUICE_CONFIG", profile_file_}};
}

std::string SecureDemo::publish_connection(const std::string& bootstrap,
                                           const std::string& data_dir) const {
  const std::string properties = (dir_ / "client.properties").string();
  write_secret_file(properties,
                    "# librdkafka settings for the broker of `sluice up --secure` (kcat -F FILE)\n"
                    "bootstrap.servers=" +
                        bootstrap +
                        "\n"
                        "security.protocol=SASL_SSL\n"
                        "sasl.mechanisms=" +
                        kMechanism +
                        "\n"
                        "sasl.username=" +
                        kUser +
                        "\n"
                        "sasl.password=" +
                        read_secret_file(password_file_, kPasswordWhat) +
                        "\n"
                        "ssl.ca.location=" +
                        certificates_.ca_certificate + "\n",
                    "client properties file");
  replace_file(profile_file_,
               "# sluice profile for the broker of `sluice up --secure` (SLUICE_CONFIG=FILE)\n"
               "bootstrap: " +
                   bootstrap +
                   "\n"
                   "data_dir: " +
                   yaml_quoted(data_dir) +
                   "\n"
                   "security.protocol: SASL_SSL\n"
                   "sasl.mechanism: " +
                   kMechanism +
                   "\n"
                   "sasl.username: " +
                   kUser +
                   "\n"
                   "sasl.password_file: " +
                   yaml_quoted(password_file_) +
                   "\n"
                   "ssl.ca.location: " +
                   yaml_quoted(certificates_.ca_certificate) + "\n");
  return "secure: the broker at " + bootstrap + " takes SASL_SSL only (" + kMechanism +
         ", TLS 1.2+); to connect:\n"
         "  CA certificate " +
         certificates_.ca_certificate +
         " (ssl.ca.location)\n"
         "  user           " +
         kUser +
         " (sasl.username; a super user)\n"
         "  password file  " +
         password_file_ +
         " (sasl.password_file; mode 0600)\n"
         "  kcat -F " +
         properties +
         " -L\n"
         "  SLUICE_DATA_DIR=" +
         data_dir +
         " sluice topics list   (the CLI finds the login there; or SLUICE_CONFIG=" + profile_file_ +
         ")\n";
}

void forget_secure_demo_connection(const fs::path& data_dir) {
  std::error_code ignored;
  fs::remove(data_dir / "security" / "profile.yaml", ignored);
  fs::remove(data_dir / "security" / "client.properties", ignored);
}

}  // namespace sluice::cli
