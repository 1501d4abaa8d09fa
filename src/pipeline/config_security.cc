#include "pipeline/config_security.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include "common/secret_file.h"
#include "kafka/client_security.h"

namespace sluice::pipeline {
namespace {

constexpr const char* kProtocols[] = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"};

bool names_a_file(const std::string& key) {
  return key.ends_with(".location") || key == "sasl.password_file";
}

// sasl.mechanism and sasl.mechanisms are one setting, and so are the two ways
// of giving the password: a file holding both is ambiguous.
std::string same_setting(const std::string& key) {
  if (key == "sasl.mechanism") return "sasl.mechanisms";
  if (key == "sasl.password_file") return "sasl.password";
  return key;
}

std::string read_protocol(const ConfigValue& v) {
  std::string text = read_string(v);
  std::transform(text.begin(), text.end(), text.begin(), ::toupper);
  for (const char* p : kProtocols) {
    if (text == p) return text;
  }
  v.fail("must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not " + quote_value(text),
         "write the protocol of the cluster's listener");
}

}  // namespace

void read_security(const ConfigValue& v, kafka::Settings& settings,
                   std::map<std::string, ConfigSource>& sources) {
  if (v.node.IsNull()) return;
  if (!v.node.IsMap())
    v.fail("expected a mapping of Kafka client settings",
           "write e.g. `security.protocol: SASL_SSL` lines under it");
  std::map<std::string, std::string> seen;  // same_setting() -> the key that set it
  for (const auto& kv : v.node) {
    ConfigValue child = v.child(kv.first, kv.second);
    if (!kv.first.IsScalar()) child.fail("keys must be plain names");
    const std::string key = kv.first.Scalar();
    if (!kafka::is_client_security_key(key)) {
      std::vector<std::string> known(kafka::client_security_keys().begin(),
                                     kafka::client_security_keys().end());
      std::string hint =
          "known keys: security.protocol, sasl.mechanism, sasl.username, "
          "sasl.password, sasl.password_file, ssl.* as librdkafka names them "
          "(docs/security.md)";
      if (auto guess = closest_match(key, known)) hint = "did you mean '" + *guess + "'?";
      child.fail("unknown key " + quote_value(key) + " in the security settings", hint);
    }
    auto [it, fresh] = seen.emplace(same_setting(key), key);
    if (!fresh) {
      child.fail(it->second == key ? "appears twice" : "says the same as " + it->second,
                 "keep one of them");
    }
    child.remember();
    // Values are never quoted back: this block holds passwords.
    if (!kv.second.IsScalar() || kv.second.Scalar().empty())
      child.fail("must be a non-empty text value");
    settings.emplace_back(key,
                          key == "security.protocol" ? read_protocol(child) : kv.second.Scalar());
    sources[key] = child.source;
  }
}

void resolve_security_files(kafka::Settings& settings,
                            const std::map<std::string, ConfigSource>& sources,
                            const std::filesystem::path& base_dir) {
  for (auto& [key, value] : settings) {
    if (!names_a_file(key)) continue;
    if (std::filesystem::path(value).is_relative())
      value = (base_dir / value).lexically_normal().string();
    if (key != "sasl.password_file") continue;
    try {
      read_secret_file(value, "SASL password file");
    } catch (const std::runtime_error& e) {
      const auto source = sources.find(key);
      throw ConfigError(source == sources.end() ? ConfigSource{} : source->second,
                        "security." + key, e.what(),
                        "put the password on the file's first line (chmod 600 it)");
    }
  }
}

}  // namespace sluice::pipeline
