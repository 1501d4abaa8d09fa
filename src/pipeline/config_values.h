// Typed reading of single configuration values, shared by the YAML reader and
// the environment overrides so both accept exactly the same spellings and
// report problems the same way. Every reader either returns a value that is
// in range or throws ConfigError naming the value's source and key path; none
// of them can be made to crash or overflow by any input.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/config_error.h"
#include "pipeline/config_text.h"

namespace sluice::pipeline {

// The source of every key read so far, by key path, so that checks spanning
// several keys (run after the environment overrides) can still name a line.
class SourceMap {
 public:
  explicit SourceMap(std::string file) : file_(std::move(file)) {}
  void record(const std::string& path, ConfigSource source) { sources_[path] = std::move(source); }
  // The source of `path`, else of its nearest recorded parent
  // (`stages[0].retry.x` -> `stages[0].retry` -> `stages[0]` -> `stages`), else the file.
  ConfigSource find(std::string path) const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::map<std::string, ConfigSource> sources_;
};

// One value being read: the node, where it came from and its key path.
struct ConfigValue {
  YAML::Node node;
  ConfigSource source;
  std::string path;              // e.g. `stages[1].retry.max_attempts`; empty for the document
  SourceMap* sources = nullptr;  // where remember() records; inherited by child() and item()

  void remember() const {
    if (sources) sources->record(path, source);
  }

  [[noreturn]] void fail(const std::string& problem, const std::string& hint = "") const;
  // The value under mapping key `key` (named after it, located at the key's line).
  ConfigValue child(const YAML::Node& key, const YAML::Node& value) const;
  // Item `index` of this list; `located` says whether `value` carries its own
  // position (false for items split out of a scalar, which keep this value's).
  ConfigValue item(size_t index, const YAML::Node& value, bool located = true) const;
};

std::string read_string(const ConfigValue& v);  // a non-empty scalar
// Letters, digits, '.', '_', '-' (stage, pipeline and breaker names).
std::string read_name(const ConfigValue& v);
std::string read_topic(const ConfigValue& v);
std::string read_host_port(const ConfigValue& v);
std::string read_bootstrap(const ConfigValue& v);  // comma-separated host:port list
int64_t read_int(const ConfigValue& v, int64_t lo, int64_t hi);
double read_number(const ConfigValue& v, double lo, double hi);
bool read_bool(const ConfigValue& v);
int64_t read_duration_ms(const ConfigValue& v, int64_t lo, int64_t hi);
int64_t read_size_bytes(const ConfigValue& v, int64_t lo, int64_t hi);
// A YAML sequence, or a scalar holding a comma-separated list or a flow list
// (`a,b` or `[a, b]`, the forms an environment variable can carry); null is empty.
std::vector<ConfigValue> read_list(const ConfigValue& v);

}  // namespace sluice::pipeline
