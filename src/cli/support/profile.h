// Where `--bootstrap` and `--data-dir` come from when a command is not given
// them, so an operator need not repeat them: the flag, else the environment
// (SLUICE_BOOTSTRAP, SLUICE_DATA_DIR), else the profile file, else the built-in
// default. This file is the one place that order is decided.
//
// The profile is YAML with optional keys `bootstrap:`, `data_dir:` and the
// Kafka client security settings `security.protocol`, `sasl.mechanism(s)`,
// `sasl.username`, `sasl.password(_file)` and `ssl.*` (the lowest of the
// sources src/kafka/client_security.h combines), at
// SLUICE_CONFIG, else $XDG_CONFIG_HOME/sluice/config.yaml, else
// $HOME/.config/sluice/config.yaml. A missing file at the default place means
// "no profile"; a missing file named by SLUICE_CONFIG, an unreadable file or an
// unknown key is an error naming the file, so a typo never silently falls back.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kafka/types.h"

namespace sluice::cli {

inline constexpr const char* kDefaultBootstrap = "127.0.0.1:9092";
inline constexpr const char* kDefaultDataDir = "sluice-data";

struct Profile {
  std::string path;  // the file the values came from ("" when there is none)
  std::optional<std::string> bootstrap;
  std::optional<std::string> data_dir;
  // Kafka client security settings by their librdkafka names ("sasl.username").
  std::map<std::string, std::string> kafka_security;
};

// The profile's security settings for kafka::use_profile_security(), relative
// file names (`ssl.ca.location: ca.pem`) taken as relative to the profile's
// directory. load_defaults() hands them over: every client of this process uses
// them unless the pipeline file or the environment says otherwise.
kafka::Settings profile_security(const Profile& profile);

// Looks up an environment variable; nullopt when unset. Injected so the order
// can be tested without touching the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_env();

// The profile file's path by the rules above ("" when neither HOME nor
// XDG_CONFIG_HOME is set and SLUICE_CONFIG is not either).
std::string profile_path(const EnvLookup& env);

// Parses a profile's text; `path` only names it in errors. Throws
// std::invalid_argument for YAML that is not a mapping of the known keys.
Profile parse_profile(const std::string& text, const std::string& path);

// Reads the profile the environment points at (an empty Profile when the
// default file does not exist). Throws std::invalid_argument as above.
Profile load_profile(const EnvLookup& env);

// For commands that reach the broker of the `sluice up` on DATA: when that is a
// `sluice up --secure`, every client of this process logs in as its user (the
// DATA/security/profile.yaml it wrote, in place of the user's profile; the
// environment still wins). Nothing changes otherwise. load_defaults() does this
// for the `sluice up` it finds when neither a bootstrap nor a login is configured,
// with its broker's address, so `sluice topics list` next to `sluice up --secure`
// just works.
void use_secure_up_login(const std::filesystem::path& data_dir);
// The profile a `sluice up --secure` on DATA wrote (its bootstrap and login), if any.
std::optional<Profile> secure_up_profile(const std::filesystem::path& data_dir);

// The values a command uses when its flag is absent: environment over profile
// over built-in default. configured_* leave out the built-in default, for
// commands whose own fallback is better (validate reads the pipeline's bootstrap).
struct Defaults {
  std::optional<std::string> configured_bootstrap;
  std::optional<std::string> configured_data_dir;
  std::string bootstrap() const { return configured_bootstrap.value_or(kDefaultBootstrap); }
  std::string data_dir() const { return configured_data_dir.value_or(kDefaultDataDir); }
  // For commands that talk to a running `sluice up` but also take --admin (pause,
  // status, health, incident): the configured data dir, else ./sluice-data when a
  // `sluice up` there wrote its process table, else none (use --admin). Under
  // `sluice up` port 9464, --admin's default, is the broker, not a stage.
  std::optional<std::string> up_data_dir() const;
};
Defaults resolve_defaults(const EnvLookup& env, const Profile& profile);

// This process's defaults. load_defaults() reads the profile once (main calls it
// before registering commands, so a broken profile is reported before anything
// runs); defaults() returns what it read (built-in defaults when never loaded).
void load_defaults();
const Defaults& defaults();

}  // namespace sluice::cli
