// Where a configuration value came from, and the one error type every
// configuration problem is reported as. Invariant: what() always starts with
// the place an operator has to edit — "FILE:LINE" for a YAML value, the
// variable's name for an environment override — then the key path
// (`stages[1].retry.max_attempts`), the problem, and what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace sluice::pipeline {

struct ConfigSource {
  std::string file;     // the pipeline file (empty for an environment variable)
  int line = 0;         // 1-based; 0 when unknown
  std::string env_var;  // set when the value came from the environment

  // "FILE:LINE", "FILE", or "environment variable NAME".
  std::string describe() const;
};

class ConfigError : public std::runtime_error {
 public:
  // what(): "WHERE: KEY: problem; hint" (KEY and hint omitted when empty).
  ConfigError(ConfigSource source, std::string key, std::string problem, std::string hint = "");

  const ConfigSource& source() const { return source_; }
  const std::string& key() const { return key_; }
  const std::string& problem() const { return problem_; }
  const std::string& hint() const { return hint_; }

 private:
  ConfigSource source_;
  std::string key_;
  std::string problem_;
  std::string hint_;
};

}  // namespace sluice::pipeline
