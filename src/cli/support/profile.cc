#include "cli/support/profile.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "kafka/client_security.h"

namespace sluice::cli {
namespace {

// Unset and empty are the same: `SLUICE_DATA_DIR= sluice ps` means "not set".
std::optional<std::string> non_empty(std::optional<std::string> v) {
  return v && !v->empty() ? v : std::nullopt;
}

Defaults& current();

}  // namespace

kafka::Settings profile_security(const Profile& profile) {
  kafka::Settings out(profile.kafka_security.begin(), profile.kafka_security.end());
  for (auto& [key, value] : out) {
    // A relative file name means the profile's directory, wherever a command runs.
    if ((key.ends_with(".location") || key == "sasl.password_file") && !value.empty() &&
        std::filesystem::path(value).is_relative() && !profile.path.empty()) {
      value = (std::filesystem::path(profile.path).parent_path() / value).string();
    }
  }
  return out;
}

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
}

std::string profile_path(const EnvLookup& env) {
  if (auto explicit_path = non_empty(env("SLUICE_CONFIG"))) return *explicit_path;
  if (auto xdg = non_empty(env("XDG_CONFIG_HOME"))) return *xdg + "/sluice/config.yaml";
  if (auto home = non_empty(env("HOME"))) return *home + "/.config/sluice/config.yaml";
  return "";
}

Profile parse_profile(const std::string& text, const std::string& path) {
  Profile p;
  p.path = path;
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument("profile " + path + " is not valid YAML: " + e.what());
  }
  if (root.IsNull()) return p;  // an empty file: no settings
  if (!root.IsMap())
    throw std::invalid_argument("profile " + path +
                                " must be a mapping such as `bootstrap: 127.0.0.1:9092`");
  for (const auto& item : root) {
    const std::string key = item.first.as<std::string>();
    if (!item.second.IsScalar())
      throw std::invalid_argument("profile " + path + ": `" + key + "` must be a string");
    if (key == "bootstrap") {
      p.bootstrap = item.second.Scalar();
    } else if (key == "data_dir") {
      p.data_dir = item.second.Scalar();
    } else if (kafka::is_client_security_key(key)) {
      p.kafka_security[key == "sasl.mechanisms" ? "sasl.mechanism" : key] = item.second.Scalar();
    } else {
      throw std::invalid_argument(
          "profile " + path + ": unknown key `" + key +
          "` (known: bootstrap, data_dir, security.protocol, sasl.mechanism, sasl.username, "
          "sasl.password, sasl.password_file, ssl.*: see docs/security.md)");
    }
  }
  return p;
}

Profile load_profile(const EnvLookup& env) {
  const std::string path = profile_path(env);
  if (path.empty()) return {};
  std::ifstream in(path);
  if (!in) {
    if (!non_empty(env("SLUICE_CONFIG")) && !std::filesystem::exists(path)) return {};
    throw std::invalid_argument(
        "cannot read profile " + path +
        (non_empty(env("SLUICE_CONFIG")) ? " (named by SLUICE_CONFIG)" : ""));
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_profile(text.str(), path);
}

Defaults resolve_defaults(const EnvLookup& env, const Profile& profile) {
  Defaults d;
  d.configured_bootstrap = non_empty(env("SLUICE_BOOTSTRAP"));
  if (!d.configured_bootstrap) d.configured_bootstrap = non_empty(profile.bootstrap);
  d.configured_data_dir = non_empty(env("SLUICE_DATA_DIR"));
  if (!d.configured_data_dir) d.configured_data_dir = non_empty(profile.data_dir);
  return d;
}

namespace {
// Before load_defaults() (a test linking the CLI library) the environment still counts.
Defaults& current() {
  static Defaults d = resolve_defaults(process_env(), {});
  return d;
}
}  // namespace

void load_defaults() {
  const EnvLookup env = process_env();
  Profile profile = load_profile(env);
  current() = resolve_defaults(env, profile);
  kafka::use_profile_security(profile_security(profile));
  // Nothing says which cluster or which login: the built-in default bootstrap is
  // that of a `sluice up` here, which may be a secure one (on its own port).
  if (!current().configured_bootstrap && profile.kafka_security.empty() &&
      kafka::security_settings_from_environment().empty()) {
    if (auto dir = current().up_data_dir()) {
      if (auto up = secure_up_profile(*dir)) {
        kafka::use_profile_security(profile_security(*up));
        current().configured_bootstrap = up->bootstrap;
      }
    }
  }
}

std::optional<Profile> secure_up_profile(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = data_dir / "security" / "profile.yaml";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  return load_profile([&](const std::string& name) -> std::optional<std::string> {
    if (name == "SLUICE_CONFIG") return path.string();
    return std::nullopt;
  });
}

void use_secure_up_login(const std::filesystem::path& data_dir) {
  if (auto up = secure_up_profile(data_dir)) kafka::use_profile_security(profile_security(*up));
}

std::optional<std::string> Defaults::up_data_dir() const {
  if (configured_data_dir) return configured_data_dir;
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::path(kDefaultDataDir) / "processes.json", ec))
    return std::string(kDefaultDataDir);
  return std::nullopt;
}

const Defaults& defaults() {
  return current();
}

}  // namespace sluice::cli
