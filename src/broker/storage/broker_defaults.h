// The broker-level settings an admin client may change while the broker runs
// (`kafka-configs --alter --entity-type brokers`): the defaults of every topic
// config, under Kafka's broker names (log.retention.ms, message.max.bytes, ...;
// log_config.h's table maps each to its topic config). A topic's own overrides
// still win over them.
//
// Invariant: the file DATA_DIR/broker-configs.conf (docs/formats/data-dir.md)
// holds exactly the dynamic settings in force, replaced whole and atomically,
// so a crash leaves the old set or the new one. A missing file means none.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "broker/storage/log_config.h"

namespace sluice::broker {

class BrokerDefaults {
 public:
  // Loads the file over `static_defaults` (the broker's flags). A line that no
  // longer parses is logged and skipped, so an old file never stops the broker.
  BrokerDefaults(std::filesystem::path data_dir, LogConfig static_defaults);

  struct Change {
    std::optional<LogConfig> defaults;  // the new effective topic defaults
    std::string error;                  // else why not, naming the setting
  };
  // Sets (value) or removes (nullopt) broker-level settings, all or none; with
  // `validate_only` only checks. Throws StorageError when the file cannot be written.
  Change alter(const std::map<std::string, std::optional<std::string>>& changes,
               bool validate_only);
  // Replaces every dynamic setting with `settings` (AlterConfigs' semantics).
  Change replace(const std::map<std::string, std::string>& settings, bool validate_only);

  LogConfig effective() const;
  // The dynamic settings in force, by broker name.
  std::map<std::string, std::string> dynamic() const;
  LogConfig static_defaults() const { return static_; }

 private:
  // The defaults `settings` give, or the first error.
  Change apply(const std::map<std::string, std::string>& settings) const;
  Change commit(std::map<std::string, std::string> settings, bool validate_only);

  std::filesystem::path file_;
  const LogConfig static_;
  std::mutex alter_mu_;  // one alteration at a time: each reads, then replaces the set
  mutable std::mutex mu_;
  std::map<std::string, std::string> dynamic_;  // guarded by mu_
  LogConfig effective_;                         // guarded by mu_
};

}  // namespace sluice::broker
