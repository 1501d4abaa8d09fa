// Formatting of configuration errors; see config_error.h.
#include "pipeline/config_error.h"

#include <utility>

namespace sluice::pipeline {
namespace {

std::string format(const ConfigSource& source, const std::string& key, const std::string& problem,
                   const std::string& hint) {
  std::string out = source.describe() + ": ";
  if (!key.empty()) out += key + ": ";
  out += problem;
  if (!hint.empty()) out += "; " + hint;
  return out;
}

}  // namespace

std::string ConfigSource::describe() const {
  if (!env_var.empty()) return "environment variable " + env_var;
  if (line > 0) return file + ":" + std::to_string(line);
  return file;
}

ConfigError::ConfigError(ConfigSource source, std::string key, std::string problem,
                         std::string hint)
    : std::runtime_error(format(source, key, problem, hint)),
      source_(std::move(source)),
      key_(std::move(key)),
      problem_(std::move(problem)),
      hint_(std::move(hint)) {}

}  // namespace sluice::pipeline
