#include "broker/storage/broker_defaults.h"

#include <fstream>

#include "broker/storage/durable_file.h"
#include "common/log.h"

namespace sluice::broker {

BrokerDefaults::BrokerDefaults(std::filesystem::path data_dir, LogConfig static_defaults)
    : file_(data_dir / "broker-configs.conf"),
      static_(std::move(static_defaults)),
      effective_(static_) {
  std::ifstream in(file_);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    std::map<std::string, std::string> one;
    if (eq != std::string::npos) one[line.substr(0, eq)] = line.substr(eq + 1);
    Change c = eq == std::string::npos ? Change{std::nullopt, "not KEY=VALUE"} : apply(one);
    if (!c.defaults) {
      log::warn("storage", "{}: skipping '{}': {}", file_.string(), line, c.error);
      continue;
    }
    dynamic_.insert(one.begin(), one.end());
  }
  effective_ = *apply(dynamic_).defaults;
  if (!dynamic_.empty())
    log::info("storage", "{} dynamic broker setting(s) from {}", dynamic_.size(), file_.string());
}

BrokerDefaults::Change BrokerDefaults::apply(
    const std::map<std::string, std::string>& settings) const {
  LogConfig config = static_;
  for (const auto& [name, value] : settings) {
    const ConfigDef* def = find_by_broker_synonym(name);
    if (!def) {
      std::string names;
      for (const ConfigDef& d : topic_config_defs())
        names += (names.empty() ? "" : ", ") + std::string(d.broker_synonym);
      return {std::nullopt,
              "'" + name + "' cannot be changed while the broker runs; these can: " + names};
    }
    if (auto err = apply_config(config, def->name, value)) {
      return {std::nullopt, name + " (the default of " + def->name + "): " + *err};
    }
  }
  return {config, ""};
}

BrokerDefaults::Change BrokerDefaults::alter(
    const std::map<std::string, std::optional<std::string>>& changes, bool validate_only) {
  std::lock_guard alter_lock(alter_mu_);
  std::map<std::string, std::string> settings = dynamic();
  for (const auto& [name, value] : changes) {
    if (value) {
      settings[name] = *value;
    } else if (!find_by_broker_synonym(name)) {
      return {std::nullopt, "cannot remove unknown broker setting '" + name + "'"};
    } else {
      settings.erase(name);
    }
  }
  return commit(std::move(settings), validate_only);
}

BrokerDefaults::Change BrokerDefaults::replace(const std::map<std::string, std::string>& settings,
                                               bool validate_only) {
  std::lock_guard alter_lock(alter_mu_);
  return commit(settings, validate_only);
}

BrokerDefaults::Change BrokerDefaults::commit(std::map<std::string, std::string> settings,
                                              bool validate_only) {
  Change c = apply(settings);
  if (!c.defaults || validate_only) return c;
  std::string content =
      "# dynamic broker settings (kafka-configs --entity-type brokers): see "
      "docs/formats/data-dir.md\n";
  for (const auto& [name, value] : settings) content += name + "=" + value + "\n";
  std::lock_guard lock(mu_);
  write_file_atomically(file_, content);
  dynamic_ = std::move(settings);
  effective_ = *c.defaults;
  return c;
}

LogConfig BrokerDefaults::effective() const {
  std::lock_guard lock(mu_);
  return effective_;
}

std::map<std::string, std::string> BrokerDefaults::dynamic() const {
  std::lock_guard lock(mu_);
  return dynamic_;
}

}  // namespace sluice::broker
