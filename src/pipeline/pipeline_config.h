// A pipeline's configuration: one YAML file describing its stages (see
// docs/configuration.md for every key), with each setting overridable by an
// environment variable. Invariant: a PipelineConfig returned by the loaders is
// complete and valid — defaults derived (group, DLQ topic), every number in
// range, every topic a legal Kafka name — so the runtime never re-checks it.
// Anything else is a ConfigError naming the file and line (or the variable)
// and the key path.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "kafka/types.h"
#include "pipeline/circuit_breaker.h"
#include "pipeline/config_error.h"
#include "pipeline/degradation_config.h"
#include "pipeline/retry_policy.h"

namespace sluice::pipeline {

struct QueueConfig {
  int max_buffered_records = 10000;
  int64_t max_buffered_bytes = 64 << 20;
  int in_flight_per_partition = 1;  // batches of one partition processed at once
  int max_in_flight = 1000;
  int batch_size = 256;  // records handed to a worker at once (1 for I/O-bound processors)
  int workers = 0;       // worker threads; 0: twice the cores (CPU-bound default)
  // The consumer's fetch.min.bytes: a Fetch is answered once this much is ready
  // (or after 100 ms). 1, Kafka's default, answers at the first record; a fast
  // stream of small records then costs a Fetch round trip per handful of records.
  int64_t fetch_min_bytes = 1;
  // The producer's linger.ms: how long outputs wait to share a batch. Each batch
  // is a Produce the broker appends (and, flushing `always`, syncs) on its own.
  int64_t linger_ms = 5;
};

struct DlqConfig {
  bool enabled = true;
  std::string topic;  // default <input>.dlq
  int max_replays = 3;
  // Added to every dead letter of the stage, in file order. Why: a DLQ shared
  // with a topic of another writer (a quarantine topic) can carry that topic's
  // headers, e.g. its severity, so its readers see one kind of record. Never
  // one of the names the DLQ path writes itself (sluice.error.*, ...).
  std::vector<std::pair<std::string, std::string>> headers;
};

// When a running stage counts as stalled (ProgressWatchdog): /readyz turns
// not-ready and sluice_stage_stalled goes to 1. 0 turns a condition off.
struct StallConfig {
  int max_delivery_failures = 5;       // one record's outputs failed this many times in a row
  int64_t commit_timeout_ms = 300000;  // no offset committed this long while input waits
};

struct StageConfig {
  std::string name;
  std::string input;
  std::string group;  // default <pipeline>.<name>
  std::vector<std::string> outputs;
  std::string processor;
  YAML::Node options;  // the processor's own, free-form (a mapping, possibly empty)
  RetryConfig retry;
  DlqConfig dlq;
  QueueConfig queue;
  std::vector<BreakerConfig> breakers;
  StallConfig stall;
  int64_t shutdown_timeout_ms = 30000;
  // How long the group waits for a silent member (a stage killed -9, a frozen
  // host) before giving its partitions to the others. librdkafka's default is
  // 45 s; a supervised stage restarts in about a second, so 10 s bounds the gap.
  int64_t session_timeout_ms = 10000;
  // Hot keys (runbook 003): outputs' keys get "_<0..N-1>" appended, spreading
  // one key over N partitions. 0 keeps keys as they are (and per-key order).
  int output_key_salt = 0;
  // Degradation levels by lag and memory (degradation_config.h). The keys
  // degrade_lag_threshold and halt_lag_threshold set its SOFT and CIRCUIT_BREAK lag.
  DegradationConfig degradation;
  // Where a stateful processor's checkpoints live (docs/formats/state-checkpoint.md):
  // a directory (relative to the pipeline file) or s3:// URL shared by the
  // stage's processes. Empty: none (a stateful processor then refuses to start).
  std::string state_store;
  // The least time between two checkpoints of one partition's state (and so
  // between its group commits). Longer: fewer pauses and store writes, more
  // records replayed after a crash.
  int64_t state_checkpoint_interval_ms = 1000;
  // Where the stage's `processor:` key (under "") and each option (by key) were
  // written, so a processor's option errors name FILE:LINE or the variable.
  std::map<std::string, ConfigSource> option_sources;
};

// A schema the pipeline declares (`schemas: {SUBJECT: {schema: FILE,
// compatibility: LEVEL}}`): `sluice up` starts a schema registry and registers
// it there, with the subject's compatibility level, before any stage starts.
struct DeclaredSchema {
  std::string subject;
  std::string file;                        // an .avsc file, relative to the pipeline file
  std::string compatibility = "BACKWARD";  // one of Confluent's seven levels
};

struct PipelineConfig {
  std::string name;
  std::string bootstrap = "127.0.0.1:9092";
  std::string admin = "127.0.0.1:0";
  std::vector<StageConfig> stages;
  // How the stages' Kafka clients log in (`security:`, config_security.h):
  // librdkafka settings in file order, file names absolute once loaded from a
  // file. Empty: the environment and the profile decide.
  kafka::Settings security;
  std::map<std::string, ConfigSource> security_sources;  // where each key was written
  // `demo_source: {kind: K, FLAG: VALUE, ...}`: what `sluice up` starts as
  // `sluice demo-source --kind K --FLAG VALUE ...` (underscores become dashes).
  // Undefined: the claims source. Stages never read it.
  YAML::Node demo_source;
  // `schema_registry: URL`: the registry the pipeline's Avro processors use when
  // they name none; `sluice up` runs one and points this at it (docs/registry.md).
  std::string schema_registry;
  std::vector<DeclaredSchema> schemas;
  // The pipeline file's directory (absolute): relative paths in processor
  // options resolve against it. Empty when parsed from text (tests).
  std::filesystem::path base_dir;

  // nullptr when there is no stage of that name.
  const StageConfig* stage(const std::string& name) const;
};

using Environment = std::map<std::string, std::string>;

// Loads, applies env overrides, validates. `env` defaults to the process environment (inject for
// tests).
PipelineConfig load_pipeline_config(const std::string& path, const Environment* env = nullptr);
PipelineConfig parse_pipeline_config(const std::string& yaml_text,
                                     const std::string& file_name_for_errors,
                                     const Environment* env = nullptr);

// The process environment's SLUICE_* variables.
Environment process_environment();

}  // namespace sluice::pipeline
