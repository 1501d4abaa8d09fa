// Loading a pipeline file: parse YAML -> read each key (config_schema) ->
// apply environment overrides (config_env) -> derive defaults and check rules
// that span several keys (here). The order matters: an override may supply a
// required key or change what a default derives from.
#include "pipeline/pipeline_config.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "pipeline/config_env.h"
#include "pipeline/config_schema.h"
#include "pipeline/config_security.h"

extern char** environ;

namespace sluice::pipeline {
namespace {

constexpr std::streamoff kMaxFileBytes = 16 << 20;

// Checks across keys, reported at the recorded source of the key they are about.
class Checker {
 public:
  explicit Checker(const SourceMap& sources) : sources_(sources) {}

  void require(bool ok, const std::string& key, const std::string& problem,
               const std::string& hint = "") const {
    if (!ok) throw ConfigError(sources_.find(key), key, problem, hint);
  }
  std::string line_of(const std::string& key) const { return sources_.find(key).describe(); }

 private:
  const SourceMap& sources_;
};

// Names must be unique, and unique as parts of environment variable names too.
template <typename T>
void check_unique_names(const Checker& c, const std::vector<T>& items, const std::string& path,
                        const char* what) {
  std::map<std::string, size_t> seen;  // env spelling -> index
  for (size_t i = 0; i < items.size(); ++i) {
    std::string key = path + "[" + std::to_string(i) + "].name";
    auto [it, fresh] = seen.emplace(env_name_part(items[i].name), i);
    const T& first = items[it->second];
    std::string first_key = path + "[" + std::to_string(it->second) + "].name";
    c.require(fresh, key,
              std::string(what) + " name " + quote_value(items[i].name) +
                  (first.name == items[i].name ? " is already used"
                                               : " clashes with " + quote_value(first.name)) +
                  " by " + first_key + " (" + c.line_of(first_key) + ")",
              "names must differ in more than punctuation and case, as environment variables spell "
              "them " +
                  env_name_part(items[i].name));
  }
}

void check_topic(const Checker& c, const std::string& topic, const std::string& key,
                 const std::string& why) {
  std::string problem = topic_name_problem(topic);
  c.require(problem.empty(), key, why + " " + quote_value(topic) + " " + problem,
            "use a shorter input topic name");
}

void check_topics(const Checker& c, const StageConfig& s, const std::string& path) {
  for (size_t n = 1; n <= s.retry.delay_topic_delays_ms.size(); ++n) {
    check_topic(c, s.input + ".retry." + std::to_string(n), path + ".input", "delay topic");
  }
  check_topic(c, s.dlq.topic, path + ".input", "dead-letter topic");
  for (size_t i = 0; i < s.outputs.size(); ++i) {
    std::string key = path + ".outputs[" + std::to_string(i) + "]";
    c.require(s.outputs[i] != s.input, key, "is the stage's own input topic",
              "records would loop forever; write to another topic");
    c.require(s.outputs[i] != s.dlq.topic, key, "is the stage's dead-letter topic",
              "write to another topic or set dlq.topic");
  }
  c.require(s.dlq.topic != s.input, path + ".dlq.topic", "is the stage's own input topic",
            "failed records would be processed again forever; use another topic");
}

void check_retry(const Checker& c, const RetryConfig& r, const std::string& path) {
  c.require(r.max_backoff_ms >= r.initial_backoff_ms, path + ".retry.max_backoff_ms",
            format_duration_ms(r.max_backoff_ms) + " is less than initial_backoff_ms (" +
                format_duration_ms(r.initial_backoff_ms) + ")",
            "raise max_backoff_ms or lower initial_backoff_ms");
  const auto& d = r.delay_topic_delays_ms;
  for (size_t i = 1; i < d.size(); ++i) {
    c.require(d[i] >= d[i - 1], path + ".retry.delay_topics[" + std::to_string(i) + "]",
              format_duration_ms(d[i]) + " is shorter than the delay before it (" +
                  format_duration_ms(d[i - 1]) + ")",
              "list delays from shortest to longest");
  }
}

// Thresholds rise with the level: a later level can never begin before an earlier one.
void check_rising(const Checker& c, const std::array<int64_t, 4>& values, const std::string& key,
                  const char* what) {
  int64_t last = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == 0) continue;
    const DegradationLevel level = kAllDegradationLevels[i + 1];
    c.require(values[i] > last, key,
              std::string(what) + " of " + level_name(level) + " (" + std::to_string(values[i]) +
                  ") is not above the level before it (" + std::to_string(last) + ")",
              "list SOFT, GRACEFUL, AGGRESSIVE, CIRCUIT_BREAK from lowest to highest");
    last = values[i];
  }
}

void finalize_degradation(const Checker& c, StageConfig& s, const std::string& path) {
  DegradationConfig& d = s.degradation;
  if (d.parked_topic.empty()) d.parked_topic = s.input + ".shed";
  check_rising(c, d.lag_thresholds, path + ".degradation.lag", "the lag");
  check_rising(c, d.memory_percents, path + ".degradation.memory", "the memory share");
  check_topic(c, d.parked_topic, path + ".degradation.parked_topic", "parked topic");
  c.require(d.parked_topic != s.input && d.parked_topic != s.dlq.topic,
            path + ".degradation.parked_topic", "is the stage's input or dead-letter topic",
            "leave it out (default <input>.shed) or name a topic of its own");
}

void finalize_stage(const Checker& c, const std::string& pipeline, StageConfig& s,
                    const std::string& path) {
  c.require(!s.input.empty(), path + ".input", "is missing", "every stage needs `input: TOPIC`");
  c.require(!s.processor.empty(), path + ".processor", "is missing",
            "every stage needs `processor: NAME` (e.g. passthrough)");
  if (s.group.empty()) s.group = pipeline + "." + s.name;
  if (s.dlq.topic.empty()) s.dlq.topic = s.input + ".dlq";
  if (!s.options.IsMap()) s.options.reset(YAML::Node(YAML::NodeType::Map));
  check_topics(c, s, path);
  check_retry(c, s.retry, path);
  c.require(s.queue.in_flight_per_partition <= s.queue.max_in_flight,
            path + ".queue.in_flight_per_partition",
            std::to_string(s.queue.in_flight_per_partition) + " is more than max_in_flight (" +
                std::to_string(s.queue.max_in_flight) + ")",
            "raise queue.max_in_flight or lower in_flight_per_partition");
  check_unique_names(c, s.breakers, path + ".breakers", "circuit breaker");
  finalize_degradation(c, s, path);
}

// Where each option of a stage was written: its own line in the file, or the
// environment variable that replaced it (whose node carries no position).
void record_option_sources(StageConfig& s, const SourceMap& sources, const std::string& path) {
  s.option_sources[""] = sources.find(path + ".processor");
  for (const auto& kv : s.options) {
    const std::string key = kv.first.Scalar();
    const YAML::Mark mark = kv.first.Mark();
    ConfigSource source = sources.find(path + ".options." + key);
    if (source.env_var.empty() && !mark.is_null()) source = {sources.file(), mark.line + 1};
    s.option_sources[key] = source;
  }
}

void finalize(PipelineConfig& config, const SourceMap& sources) {
  Checker c(sources);
  c.require(!config.name.empty(), "pipeline", "is missing",
            "name the pipeline with `pipeline: NAME` (or SLUICE_PIPELINE)");
  c.require(!config.stages.empty(), "stages", "no stages are configured",
            "list at least one stage under `stages:`");
  check_unique_names(c, config.stages, "stages", "stage");
  for (size_t i = 0; i < config.stages.size(); ++i) {
    const std::string path = "stages[" + std::to_string(i) + "]";
    finalize_stage(c, config.name, config.stages[i], path);
    record_option_sources(config.stages[i], sources, path);
  }
}

YAML::Node parse_yaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    throw ConfigError({file, line}, "", "invalid YAML: " + e.msg, "fix the syntax on that line");
  }
}

}  // namespace

const StageConfig* PipelineConfig::stage(const std::string& stage_name) const {
  for (const auto& s : stages) {
    if (s.name == stage_name) return &s;
  }
  return nullptr;
}

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    size_t eq = entry.find('=');
    if (entry.substr(0, 7) == "SLUICE_" && eq != std::string_view::npos) {
      env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
  }
  return env;
}

PipelineConfig parse_pipeline_config(const std::string& yaml_text,
                                     const std::string& file_name_for_errors,
                                     const Environment* env) {
  const std::string& file = file_name_for_errors;
  SourceMap sources(file);
  PipelineConfig config =
      read_pipeline_document({parse_yaml(yaml_text, file), {file, 1}, "", &sources});
  apply_environment(config, env ? *env : process_environment(), sources);
  finalize(config, sources);
  return config;
}

PipelineConfig load_pipeline_config(const std::string& path, const Environment* env) {
  if (std::filesystem::is_directory(path)) {
    throw ConfigError({path}, "", "is a directory, not a pipeline file",
                      "name the YAML file itself");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ConfigError({path}, "",
                      std::string("cannot read the pipeline file: ") + std::strerror(errno),
                      "check the path");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.tellp() > kMaxFileBytes) {
    throw ConfigError({path}, "", "the file is larger than 16MiB",
                      "is this really a pipeline file?");
  }
  PipelineConfig config = parse_pipeline_config(text.str(), path, env);
  config.base_dir = std::filesystem::absolute(path).parent_path();
  resolve_security_files(config.security, config.security_sources, config.base_dir);
  return config;
}

}  // namespace sluice::pipeline
