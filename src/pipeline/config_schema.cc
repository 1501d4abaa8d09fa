// The settings tables and the generic mapping reader; see config_schema.h.
#include "pipeline/config_schema.h"

#include <array>
#include <set>

#include "pipeline/config_security.h"
#include "pipeline/record.h"

namespace sluice::pipeline {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;
constexpr size_t kMaxListItems = 1000;

template <typename T>
const Setting<T>* find_setting(const std::vector<Setting<T>>& settings, std::string_view key) {
  for (const auto& s : settings) {
    if (s.key == key) return &s;
  }
  return nullptr;
}

template <typename T>
bool is_section(const std::vector<Setting<T>>& settings, const std::string& key) {
  std::string prefix = key + ".";
  for (const auto& s : settings) {
    if (s.key.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

// The keys allowed directly under `prefix` ("" or "retry.").
template <typename T>
std::vector<std::string> keys_under(const std::vector<Setting<T>>& settings,
                                    std::string_view prefix) {
  std::vector<std::string> out;
  for (const auto& s : settings) {
    if (s.key.substr(0, prefix.size()) != prefix) continue;
    std::string_view rest = s.key.substr(prefix.size());
    std::string name(rest.substr(0, rest.find('.')));
    if (out.empty() || out.back() != name) out.push_back(name);
  }
  return out;
}

[[noreturn]] void fail_unknown(const ConfigValue& v, const std::string& key,
                               const std::vector<std::string>& known) {
  std::string hint;
  if (auto guess = closest_match(key, known)) {
    hint = "did you mean '" + *guess + "'?";
  } else {
    hint = "known keys here:";
    for (const auto& k : known) hint += " " + k;
  }
  v.fail("unknown key " + quote_value(key), hint);
}

template <typename T>
void read_mapping(const ConfigValue& v, const std::vector<Setting<T>>& settings,
                  const std::string& prefix, T& out) {
  if (v.node.IsNull()) return;  // an empty section keeps its defaults
  if (!v.node.IsMap()) v.fail("expected a mapping of keys", "write `key: value` lines under it");
  std::set<std::string> seen;
  for (const auto& kv : v.node) {
    ConfigValue child = v.child(kv.first, kv.second);
    if (!kv.first.IsScalar()) child.fail("keys must be plain names");
    std::string key = prefix + kv.first.Scalar();
    if (!seen.insert(key).second) child.fail("appears twice", "keep one of them");
    if (const Setting<T>* s = find_setting(settings, key)) {
      apply_setting(*s, out, child);
    } else if (is_section(settings, key)) {
      child.remember();
      read_mapping(child, settings, key + ".", out);
    } else {
      fail_unknown(child, kv.first.Scalar(), keys_under(settings, prefix));
    }
  }
}

// Reads each item of a list of mappings, which must name itself with `name:`.
template <typename T>
std::vector<T> read_named_list(const ConfigValue& v, const std::vector<Setting<T>>& settings,
                               const char* what) {
  std::vector<T> out;
  for (const ConfigValue& item : read_list(v)) {
    if (out.size() == kMaxListItems) item.fail("too many " + std::string(what) + "s");
    if (!item.node.IsMap()) item.fail(std::string("expected a mapping describing a ") + what);
    item.remember();
    T t;
    read_mapping(item, settings, "", t);
    if (t.name.empty()) {
      item.fail("has no name", std::string("every ") + what + " needs `name: NAME`");
    }
    out.push_back(std::move(t));
  }
  return out;
}

template <typename Int>
Int read_count(const ConfigValue& v, Int lo, Int hi) {
  return Int(read_int(v, lo, hi));
}

std::vector<std::string> read_topics(const ConfigValue& v) {
  std::vector<std::string> out;
  for (const ConfigValue& item : read_list(v)) {
    if (out.size() == kMaxListItems) item.fail("too many topics");
    out.push_back(read_topic(item));
  }
  return out;
}

std::vector<int64_t> read_delays(const ConfigValue& v) {
  std::vector<int64_t> out;
  for (const ConfigValue& item : read_list(v)) {
    if (out.size() == 100) item.fail("too many delay topics", "use at most 100");
    out.push_back(read_duration_ms(item, 1, 7 * kDay));
  }
  return out;
}

std::string read_http_url(const ConfigValue& v) {
  std::string url = read_string(v);
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    v.fail("'" + url + "' is not an http:// or https:// URL", "write e.g. http://127.0.0.1:8081");
  return url;
}

int64_t read_lag(const ConfigValue& v) {
  return read_int(v, 0, int64_t(1) << 50);
}

// Four values, one per level from SOFT up, or `seed`: runbook 003's thresholds.
template <typename Read>
std::array<int64_t, 4> read_four(const ConfigValue& v, const char* what, const Read& read) {
  std::vector<ConfigValue> items = read_list(v);
  if (items.size() != 4)
    v.fail("expected four " + std::string(what) +
               ", for SOFT, GRACEFUL, AGGRESSIVE and "
               "CIRCUIT_BREAK",
           "write e.g. [100000, 500000, 1000000, 5000000]; 0 leaves a level out");
  std::array<int64_t, 4> out{};
  for (size_t i = 0; i < 4; ++i) out[i] = read(items[i]);
  return out;
}

std::array<int64_t, 4> read_lag_thresholds(const ConfigValue& v) {
  if (v.node.IsScalar() && v.node.Scalar() == "seed") return {100000, 500000, 1000000, 5000000};
  return read_four(v, "lag thresholds", read_lag);
}

std::array<int64_t, 4> read_memory_percents(const ConfigValue& v) {
  return read_four(v, "percentages of memory_budget",
                   [](const ConfigValue& item) { return read_int(item, 0, 100); });
}

std::vector<std::string> read_strings(const ConfigValue& v, const char* what) {
  std::vector<std::string> out;
  for (const ConfigValue& item : read_list(v)) {
    if (out.size() == kMaxListItems) item.fail(std::string("too many ") + what);
    out.push_back(read_string(item));
  }
  return out;
}

// `dlq.headers: {NAME: VALUE, ...}`. A name the DLQ path writes itself would
// make a dead letter lie about its failure or origin: refused.
std::vector<std::pair<std::string, std::string>> read_dead_letter_headers(const ConfigValue& v) {
  namespace h = header;
  static const std::set<std::string> kWrittenByTheDlq = {
      h::kTraceId,       h::kStage,         h::kCategory,          h::kMessage,
      h::kAttempts,      h::kOriginalTopic, h::kOriginalPartition, h::kOriginalOffset,
      h::kFirstFailedAt, h::kLastFailedAt,  h::kRetryLevel,        h::kNotBefore,
      h::kReplayedFrom,  h::kReplayCount};
  std::vector<std::pair<std::string, std::string>> out;
  if (v.node.IsNull()) return out;
  if (!v.node.IsMap())
    v.fail("expected a mapping of header names to values",
           "write e.g. `headers: {sluice.sequence.severity: ERROR}`");
  for (const auto& kv : v.node) {
    const ConfigValue value = v.child(kv.first, kv.second);
    if (!kv.first.IsScalar() || kv.first.Scalar().empty())
      value.fail("header names must be plain, non-empty names");
    if (kWrittenByTheDlq.count(kv.first.Scalar()))
      value.fail("is a header the dead-letter queue writes itself",
                 "choose another name; the DLQ already says the stage, reason and origin");
    if (!kv.second.IsScalar()) value.fail("a header's value must be a single value");
    out.emplace_back(kv.first.Scalar(), kv.second.Scalar());
  }
  return out;
}

YAML::Node read_options(const ConfigValue& v) {
  if (v.node.IsNull()) return YAML::Node(YAML::NodeType::Map);
  if (!v.node.IsMap())
    v.fail("expected a mapping of the processor's options", "write `options: {key: value}`");
  return v.node;
}

// `demo_source:` is read by `sluice up`, not by the stages: kept as written (docs/up.md).
YAML::Node read_demo_source(const ConfigValue& v) {
  if (!v.node.IsMap() || !v.node["kind"] || !v.node["kind"].IsScalar())
    v.fail("expected a mapping with `kind:` and the demo source's flags",
           "write e.g. `demo_source: {kind: iot, devices: 24, rate: 200}`");
  for (const auto& kv : v.node) {
    if (!kv.second.IsScalar())
      v.fail("has '" + kv.first.Scalar() + "', which is not a single value",
             "each key is a `sluice demo-source` flag with one value, e.g. devices: 24");
  }
  return v.node;
}

// `schemas: {SUBJECT: {schema: FILE, compatibility: LEVEL}}`.
std::vector<DeclaredSchema> read_schemas(const ConfigValue& v) {
  static const std::set<std::string> kLevels = {
      "NONE", "BACKWARD",       "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE",
      "FULL", "FULL_TRANSITIVE"};
  if (!v.node.IsMap())
    v.fail("expected a mapping of registry subjects to {schema: FILE, compatibility: LEVEL}",
           "write e.g. `schemas: {market.ticks.asx-value: {schema: market-tick.avsc}}`");
  std::vector<DeclaredSchema> out;
  for (const auto& kv : v.node) {
    const ConfigValue entry = v.child(kv.first, kv.second);
    DeclaredSchema d;
    d.subject = kv.first.Scalar();
    if (!entry.node.IsMap() || !entry.node["schema"] || !entry.node["schema"].IsScalar())
      entry.fail("expected {schema: FILE, compatibility: LEVEL}",
                 "FILE is an .avsc file next to the pipeline file");
    for (const auto& field : entry.node) {
      const std::string key = field.first.Scalar();
      const ConfigValue value = entry.child(field.first, field.second);
      if (key == "schema") {
        d.file = read_string(value);
      } else if (key == "compatibility") {
        d.compatibility = read_string(value);
        if (!kLevels.count(d.compatibility))
          value.fail("'" + d.compatibility + "' is not a compatibility level",
                     "use NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL "
                     "or FULL_TRANSITIVE");
      } else {
        value.fail("is not a key of a declared schema", "write `schema:` and `compatibility:`");
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::string read_group(const ConfigValue& v) {
  std::string group = read_string(v);
  if (group.size() > 255) v.fail("is longer than 255 characters");
  return group;
}

double read_rate(const ConfigValue& v) {
  double rate = read_number(v, 0, 1);
  if (rate <= 0) v.fail("must be more than 0", "write a fraction of failed calls, e.g. 0.5");
  return rate;
}

}  // namespace

const std::vector<Setting<BreakerConfig>>& breaker_settings() {
  using B = BreakerConfig;
  using V = ConfigValue;
  static const std::vector<Setting<B>> settings = {
      {"name", [](B& b, const V& v) { b.name = read_name(v); }, false},
      {"failure_rate_threshold", [](B& b, const V& v) { b.failure_rate_threshold = read_rate(v); }},
      {"minimum_calls", [](B& b, const V& v) { b.minimum_calls = read_count(v, 1, 1000000); }},
      {"window", [](B& b, const V& v) { b.window_ms = read_duration_ms(v, 1, kDay); }},
      {"open", [](B& b, const V& v) { b.open_ms = read_duration_ms(v, 1, kDay); }},
      {"half_open_probes", [](B& b, const V& v) { b.half_open_probes = read_count(v, 1, 10000); }},
  };
  return settings;
}

const std::vector<Setting<StageConfig>>& stage_settings() {
  using S = StageConfig;
  using V = ConfigValue;
  static const std::vector<Setting<S>> settings = {
      {"name", [](S& s, const V& v) { s.name = read_name(v); }, false},
      {"input", [](S& s, const V& v) { s.input = read_topic(v); }},
      {"group", [](S& s, const V& v) { s.group = read_group(v); }},
      {"outputs", [](S& s, const V& v) { s.outputs = read_topics(v); }},
      {"processor", [](S& s, const V& v) { s.processor = read_name(v); }},
      {"options", [](S& s, const V& v) { s.options.reset(read_options(v)); }, false},
      {"retry.max_attempts",
       [](S& s, const V& v) { s.retry.max_attempts = read_count(v, 1, 1000000); }},
      {"retry.initial_backoff_ms",
       [](S& s, const V& v) { s.retry.initial_backoff_ms = read_duration_ms(v, 0, kHour); }},
      {"retry.max_backoff_ms",
       [](S& s, const V& v) { s.retry.max_backoff_ms = read_duration_ms(v, 0, kDay); }},
      {"retry.multiplier", [](S& s, const V& v) { s.retry.multiplier = read_number(v, 1, 100); }},
      {"retry.jitter", [](S& s, const V& v) { s.retry.jitter = read_number(v, 0, 1); }},
      {"retry.delay_topics",
       [](S& s, const V& v) { s.retry.delay_topic_delays_ms = read_delays(v); }},
      {"dlq.enabled", [](S& s, const V& v) { s.dlq.enabled = read_bool(v); }},
      {"dlq.topic", [](S& s, const V& v) { s.dlq.topic = read_topic(v); }},
      {"dlq.max_replays", [](S& s, const V& v) { s.dlq.max_replays = read_count(v, 0, 1000); }},
      {"dlq.headers", [](S& s, const V& v) { s.dlq.headers = read_dead_letter_headers(v); }, false},
      {"queue.max_buffered_records",
       [](S& s, const V& v) { s.queue.max_buffered_records = read_count(v, 1, 10000000); }},
      {"queue.max_buffered_bytes",
       [](S& s, const V& v) {
         s.queue.max_buffered_bytes = read_size_bytes(v, 1 << 10, int64_t(64) << 30);
       }},
      {"queue.in_flight_per_partition",
       [](S& s, const V& v) { s.queue.in_flight_per_partition = read_count(v, 1, 10000); }},
      {"queue.max_in_flight",
       [](S& s, const V& v) { s.queue.max_in_flight = read_count(v, 1, 100000); }},
      {"queue.batch_size", [](S& s, const V& v) { s.queue.batch_size = read_count(v, 1, 100000); }},
      {"queue.workers", [](S& s, const V& v) { s.queue.workers = read_count(v, 1, 1024); }},
      {"queue.fetch_min_bytes",
       [](S& s, const V& v) {
         s.queue.fetch_min_bytes = read_size_bytes(v, 1, int64_t(64) << 20);
       }},
      {"queue.linger", [](S& s, const V& v) { s.queue.linger_ms = read_duration_ms(v, 0, 10000); }},
      {"breakers",
       [](S& s, const V& v) {
         s.breakers = read_named_list(v, breaker_settings(), "circuit breaker");
       },
       false},
      {"stall.max_delivery_failures",
       [](S& s, const V& v) { s.stall.max_delivery_failures = read_count(v, 0, 1000000); }},
      {"stall.commit_timeout",
       [](S& s, const V& v) { s.stall.commit_timeout_ms = read_duration_ms(v, 0, 7 * kDay); }},
      {"output_key_salt", [](S& s, const V& v) { s.output_key_salt = read_count(v, 0, 10000); }},
      {"degrade_lag_threshold",
       [](S& s, const V& v) { s.degradation.lag_thresholds[0] = read_lag(v); }},
      {"state_store", [](S& s, const V& v) { s.state_store = read_string(v); }},
      {"state_checkpoint_interval",
       [](S& s, const V& v) {
         s.state_checkpoint_interval_ms = read_duration_ms(v, 1000, 600000);
       }},
      {"halt_lag_threshold",
       [](S& s, const V& v) { s.degradation.lag_thresholds[3] = read_lag(v); }},
      {"degradation.lag",
       [](S& s, const V& v) { s.degradation.lag_thresholds = read_lag_thresholds(v); }},
      {"degradation.memory_budget",
       [](S& s, const V& v) {
         s.degradation.memory_budget_bytes = read_size_bytes(v, 0, int64_t(1) << 50);
       }},
      {"degradation.memory",
       [](S& s, const V& v) { s.degradation.memory_percents = read_memory_percents(v); }},
      {"degradation.recovery_after",
       [](S& s, const V& v) { s.degradation.recovery_after_ms = read_duration_ms(v, 0, kDay); }},
      {"degradation.priority_keys",
       [](S& s, const V& v) { s.degradation.priority_keys = read_strings(v, "priority keys"); }},
      {"degradation.parked_topic",
       [](S& s, const V& v) { s.degradation.parked_topic = read_topic(v); }},
      {"degradation.spill_dir", [](S& s, const V& v) { s.degradation.spill_dir = read_string(v); }},
      {"degradation.spill_max_bytes",
       [](S& s, const V& v) {
         s.degradation.spill_max_bytes = read_size_bytes(v, 1 << 20, int64_t(1) << 50);
       }},
      {"shutdown_timeout",
       [](S& s, const V& v) { s.shutdown_timeout_ms = read_duration_ms(v, 0, kDay); }},
      // Kafka brokers refuse less than group.min.session.timeout.ms (6 s by default).
      {"session_timeout",
       [](S& s, const V& v) { s.session_timeout_ms = read_duration_ms(v, 6000, 1800000); }},
  };
  return settings;
}

const std::vector<Setting<PipelineConfig>>& pipeline_settings() {
  using P = PipelineConfig;
  using V = ConfigValue;
  static const std::vector<Setting<P>> settings = {
      {"pipeline", [](P& p, const V& v) { p.name = read_name(v); }},
      {"bootstrap", [](P& p, const V& v) { p.bootstrap = read_bootstrap(v); }},
      {"admin", [](P& p, const V& v) { p.admin = read_host_port(v); }},
      {"stages", [](P& p, const V& v) { p.stages = read_named_list(v, stage_settings(), "stage"); },
       false},
      {"demo_source", [](P& p, const V& v) { p.demo_source.reset(read_demo_source(v)); }, false},
      {"schema_registry", [](P& p, const V& v) { p.schema_registry = read_http_url(v); }},
      {"schemas", [](P& p, const V& v) { p.schemas = read_schemas(v); }, false},
      // Kafka's property names, so the environment overrides them key by key
      // through the Kafka layer's own variables (client_security.h), not here.
      {"security", [](P& p, const V& v) { read_security(v, p.security, p.security_sources); },
       false},
  };
  return settings;
}

PipelineConfig read_pipeline_document(const ConfigValue& root) {
  if (root.node.IsNull())
    root.fail("the file is empty", "write a mapping with `pipeline:` and `stages:`");
  if (!root.node.IsMap()) {
    root.fail("expected a mapping with `pipeline:` and `stages:`", "see docs/configuration.md");
  }
  root.remember();
  PipelineConfig config;
  read_mapping(root, pipeline_settings(), "", config);
  return config;
}

std::vector<SettingDoc> documented_settings() {
  std::vector<SettingDoc> out;
  auto env_or_none = [](bool from_env, const std::string& env) { return from_env ? env : ""; };
  for (const auto& s : pipeline_settings()) {
    out.push_back({std::string(s.key), env_or_none(s.from_env, "SLUICE_" + env_key(s.key))});
  }
  for (const auto& s : stage_settings()) {
    out.push_back({"stages[]." + std::string(s.key),
                   env_or_none(s.from_env, "SLUICE_STAGE_<NAME>_" + env_key(s.key))});
  }
  out.push_back({"security.<key>", "SLUICE_<KEY>"});
  out.push_back({"stages[].options.<key>", "SLUICE_STAGE_<NAME>_OPTIONS_<KEY>"});
  for (const auto& s : breaker_settings()) {
    out.push_back(
        {"stages[].breakers[]." + std::string(s.key),
         env_or_none(s.from_env, "SLUICE_STAGE_<NAME>_BREAKERS_<BREAKER>_" + env_key(s.key))});
  }
  return out;
}

}  // namespace sluice::pipeline
