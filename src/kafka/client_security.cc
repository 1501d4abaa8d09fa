#include "kafka/client_security.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>

#include "common/secret_file.h"

extern char** environ;

namespace sluice::kafka {
namespace {

constexpr std::string_view kPassword = "sasl.password";
constexpr std::string_view kPasswordFile = "sasl.password_file";

std::string canonical(std::string_view key) {
  return key == "sasl.mechanism" ? "sasl.mechanisms" : std::string(key);
}

struct Layers {
  std::mutex mutex;
  Settings profile;
  Settings pipeline;
};

Layers& layers() {
  static Layers l;
  return l;
}

}  // namespace

const std::vector<std::string_view>& client_security_keys() {
  static const std::vector<std::string_view> keys = {
      "security.protocol",
      "sasl.mechanism",
      "sasl.mechanisms",
      "sasl.username",
      kPassword,
      kPasswordFile,
      "ssl.ca.location",
      "ssl.ca.pem",
      "ssl.ca.certificate.stores",
      "ssl.certificate.location",
      "ssl.certificate.pem",
      "ssl.key.location",
      "ssl.key.pem",
      "ssl.key.password",
      "ssl.keystore.location",
      "ssl.keystore.password",
      "ssl.crl.location",
      "ssl.cipher.suites",
      "ssl.curves.list",
      "ssl.sigalgs.list",
      "ssl.providers",
      "ssl.engine.id",
      "ssl.engine.location",
      "ssl.endpoint.identification.algorithm",
      "enable.ssl.certificate.verification",
  };
  return keys;
}

bool is_client_security_key(std::string_view key) {
  const auto& keys = client_security_keys();
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Settings security_settings_from_environment() {
  static constexpr std::pair<const char*, const char*> kNamed[] = {
      {"SLUICE_SECURITY_PROTOCOL", "security.protocol"},
      {"SLUICE_SASL_MECHANISM", "sasl.mechanisms"},
      {"SLUICE_SASL_USERNAME", "sasl.username"},
      {"SLUICE_SASL_PASSWORD", "sasl.password"},
      {"SLUICE_SASL_PASSWORD_FILE", "sasl.password_file"},
      {"SLUICE_ENABLE_SSL_CERTIFICATE_VERIFICATION", "enable.ssl.certificate.verification"},
  };
  Settings out;
  for (const auto& [variable, key] : kNamed) {
    const char* value = std::getenv(variable);
    if (value && *value) out.emplace_back(key, value);
  }
  constexpr std::string_view kSsl = "SLUICE_SSL_";
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view line(*entry);
    size_t eq = line.find('=');
    if (!line.starts_with(kSsl) || eq == std::string_view::npos || eq + 1 == line.size()) continue;
    std::string key = "ssl.";
    for (char c : line.substr(kSsl.size(), eq - kSsl.size())) {
      key += c == '_' ? '.' : char(std::tolower(static_cast<unsigned char>(c)));
    }
    out.emplace_back(key, std::string(line.substr(eq + 1)));
  }
  return out;
}

void use_profile_security(Settings settings) {
  std::lock_guard lock(layers().mutex);
  layers().profile = std::move(settings);
}

void use_pipeline_security(Settings settings) {
  std::lock_guard lock(layers().mutex);
  layers().pipeline = std::move(settings);
}

Settings merge_security(const Settings& profile, const Settings& pipeline, const Settings& env) {
  std::map<std::string, std::string> merged;
  auto put = [&merged](const Settings& source) {
    for (const auto& [key, value] : source) {
      const std::string k = canonical(key);
      if (k == kPassword) merged.erase(std::string(kPasswordFile));
      if (k == kPasswordFile) merged.erase(std::string(kPassword));
      merged[k] = value;
    }
  };
  put(pipeline.empty() ? profile : pipeline);
  put(env);
  return Settings(merged.begin(), merged.end());
}

Settings client_security_layers() {
  std::lock_guard lock(layers().mutex);
  return merge_security(layers().profile, layers().pipeline, security_settings_from_environment());
}

Settings client_security_settings() {
  Settings out = client_security_layers();
  for (auto& [key, value] : out) {
    if (key == kPasswordFile) {
      key = kPassword;
      value = read_secret_file(value, "SASL password file (sasl.password_file)");
    }
  }
  return out;
}

Settings security_environment(const Settings& settings) {
  Settings out;
  for (const auto& [key, value] : settings) {
    if (canonical(key) == "sasl.mechanisms") {
      out.emplace_back("SLUICE_SASL_MECHANISM", value);
      continue;
    }
    std::string variable = "SLUICE_";
    for (char c : key) {
      variable += c == '.' ? '_' : char(std::toupper(static_cast<unsigned char>(c)));
    }
    out.emplace_back(variable, value);
  }
  return out;
}

}  // namespace sluice::kafka
