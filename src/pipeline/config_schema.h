// Every key a pipeline file may contain, declared once as data: its dotted
// path, how its value is read and checked, and whether an environment
// variable may override it. The YAML reader, the environment overrides and
// the documentation test are all driven by these tables, so a new setting is
// one line here (plus its row in docs/configuration.md, which a test enforces).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/config_values.h"
#include "pipeline/pipeline_config.h"

namespace sluice::pipeline {

template <typename T>
struct Setting {
  std::string_view key;  // dotted path inside T's mapping, e.g. "retry.max_attempts"
  void (*read)(T& target, const ConfigValue& value);
  bool from_env = true;  // false: only the file can set it (names, lists of sections)
};

const std::vector<Setting<PipelineConfig>>& pipeline_settings();
const std::vector<Setting<StageConfig>>& stage_settings();
const std::vector<Setting<BreakerConfig>>& breaker_settings();

// "retry.max_attempts" -> "RETRY_MAX_ATTEMPTS": a setting's part of its variable name.
inline std::string env_key(std::string_view key) {
  return env_name_part(key);
}

// The environment-overridable setting whose env_key() is `suffix`, or nullptr.
template <typename T>
const Setting<T>* find_env_setting(const std::vector<Setting<T>>& settings,
                                   std::string_view suffix) {
  for (const auto& s : settings) {
    if (s.from_env && env_key(s.key) == suffix) return &s;
  }
  return nullptr;
}

// Records where `value` came from, then reads it into `target`.
template <typename T>
void apply_setting(const Setting<T>& setting, T& target, const ConfigValue& value) {
  value.remember();
  setting.read(target, value);
}

// Reads the document (a mapping) into a PipelineConfig. Checks each value on
// its own; checks across keys wait until the environment was applied.
PipelineConfig read_pipeline_document(const ConfigValue& root);

// One documented setting: `stages[].retry.max_attempts` and
// `SLUICE_STAGE_<NAME>_RETRY_MAX_ATTEMPTS` (env empty when not overridable).
struct SettingDoc {
  std::string key;
  std::string env;
};
std::vector<SettingDoc> documented_settings();

}  // namespace sluice::pipeline
