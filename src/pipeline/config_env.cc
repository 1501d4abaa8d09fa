// Environment overrides; see config_env.h for the naming rules.
#include "pipeline/config_env.h"

#include <algorithm>

#include "pipeline/config_schema.h"

namespace sluice::pipeline {
namespace {

constexpr std::string_view kPrefix = "SLUICE_";
constexpr std::string_view kStagePrefix = "SLUICE_STAGE_";
constexpr std::string_view kOptions = "OPTIONS_";
constexpr std::string_view kBreakers = "BREAKERS_";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// One variable being applied: its value, as a ConfigValue at `path`.
struct Override {
  const std::string& var;
  const std::string& text;
  SourceMap& sources;

  ConfigValue at(const std::string& path) const {
    return {YAML::Node(text), ConfigSource{"", 0, var}, path, &sources};
  }
};

// The option key `suffix` names: an existing key with that env spelling, else lower-case.
std::string option_key(const YAML::Node& options, std::string_view suffix) {
  for (const auto& kv : options) {
    if (kv.first.IsScalar() && env_name_part(kv.first.Scalar()) == suffix) return kv.first.Scalar();
  }
  std::string key(suffix);
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return key;
}

// A copy of `options` with `key` set. Top-level copy only: YAML nodes are
// shared references (an alias may give two stages the same options), so
// assigning in place could change another stage's options too.
YAML::Node with_option(const YAML::Node& options, const std::string& key,
                       const std::string& value) {
  YAML::Node out(YAML::NodeType::Map);
  if (options.IsMap()) {
    for (const auto& kv : options) {
      if (!(kv.first.IsScalar() && kv.first.Scalar() == key)) out.force_insert(kv.first, kv.second);
    }
  }
  out.force_insert(key, value);
  return out;
}

bool apply_breaker(StageConfig& stage, const std::string& path, std::string_view suffix,
                   const Override& o) {
  for (size_t j = 0; j < stage.breakers.size(); ++j) {
    std::string prefix = env_name_part(stage.breakers[j].name) + "_";
    if (!starts_with(suffix, prefix)) continue;
    auto* s = find_env_setting(breaker_settings(), suffix.substr(prefix.size()));
    if (!s) continue;
    apply_setting(*s, stage.breakers[j],
                  o.at(path + ".breakers[" + std::to_string(j) + "]." + std::string(s->key)));
    return true;
  }
  return false;
}

// Applies `suffix` (the part after SLUICE_STAGE_<NAME>_) to one stage; false if it names nothing.
bool apply_stage(StageConfig& stage, const std::string& path, std::string_view suffix,
                 const Override& o) {
  if (auto* s = find_env_setting(stage_settings(), suffix)) {
    apply_setting(*s, stage, o.at(path + "." + std::string(s->key)));
    return true;
  }
  if (starts_with(suffix, kOptions) && suffix.size() > kOptions.size()) {
    std::string key = option_key(stage.options, suffix.substr(kOptions.size()));
    o.at(path + ".options." + key).remember();
    stage.options.reset(with_option(stage.options, key, o.text));  // rebind; `=` writes through
    return true;
  }
  return starts_with(suffix, kBreakers) &&
         apply_breaker(stage, path, suffix.substr(kBreakers.size()), o);
}

// Every variable name this configuration understands, for "did you mean".
std::vector<std::string> known_variables(const PipelineConfig& config) {
  std::vector<std::string> names;
  for (const auto& s : pipeline_settings()) {
    if (s.from_env) names.push_back(std::string(kPrefix) + env_key(s.key));
  }
  for (const auto& stage : config.stages) {
    std::string prefix = std::string(kStagePrefix) + env_name_part(stage.name) + "_";
    for (const auto& s : stage_settings()) {
      if (s.from_env) names.push_back(prefix + env_key(s.key));
    }
    for (const auto& b : stage.breakers) {
      for (const auto& s : breaker_settings()) {
        if (s.from_env)
          names.push_back(prefix + "BREAKERS_" + env_name_part(b.name) + "_" + env_key(s.key));
      }
    }
  }
  return names;
}

[[noreturn]] void fail_unmatched(const PipelineConfig& config, const Override& o) {
  std::string hint;
  if (auto guess = closest_match(o.var, known_variables(config))) {
    hint = "did you mean " + *guess + "?";
  } else {
    hint = "stage variables are SLUICE_STAGE_<NAME>_<KEY>; stages here:";
    for (const auto& s : config.stages) hint += " " + env_name_part(s.name);
  }
  throw ConfigError(
      {"", 0, o.var}, "",
      "sets no setting of pipeline " + quote_value(config.name) + " (unknown stage or key)", hint);
}

void apply_stage_variable(PipelineConfig& config, const Override& o) {
  std::string_view rest = std::string_view(o.var).substr(kStagePrefix.size());
  // Longest stage name first, so stage "a_b" wins over stage "a" with key "B_...".
  std::vector<size_t> order(config.stages.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return config.stages[a].name.size() > config.stages[b].name.size();
  });
  for (size_t i : order) {
    std::string prefix = env_name_part(config.stages[i].name) + "_";
    if (!starts_with(rest, prefix)) continue;
    std::string path = "stages[" + std::to_string(i) + "]";
    if (apply_stage(config.stages[i], path, rest.substr(prefix.size()), o)) return;
  }
  fail_unmatched(config, o);
}

void apply_pipeline_variable(PipelineConfig& config, const Override& o) {
  auto* s = find_env_setting(pipeline_settings(), std::string_view(o.var).substr(kPrefix.size()));
  if (s) apply_setting(*s, config, o.at(std::string(s->key)));
}

}  // namespace

void apply_environment(PipelineConfig& config, const Environment& env, SourceMap& sources) {
  for (const auto& [var, text] : env) {
    if (text.empty() || !starts_with(var, kPrefix)) continue;
    Override o{var, text, sources};
    if (starts_with(var, kStagePrefix)) {
      apply_stage_variable(config, o);
    } else {
      apply_pipeline_variable(config, o);
    }
  }
}

}  // namespace sluice::pipeline
