// A stage's processing step. Everything about delivery — offsets, retries,
// dead letters, breakers, backpressure — lives in the runtime, so a processor
// only turns one record into outputs or a categorized failure.
//
// process() may be called from several worker threads at once (for records of
// different partitions), so implementations must be thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ops/metrics.h"
#include "pipeline/config_error.h"
#include "pipeline/processor_options.h"
#include "pipeline/record.h"

namespace sluice::pipeline {

// A processor whose results become durable later, in batches, outside Kafka
// (the table sink). Its process() returns Outcome::deferred_success() for a record it
// has buffered; the runtime commits that record's offset only once
// durable_through() has passed it, and on assignment resumes each partition
// where the sink's own store says it stopped — so a crash or rebalance between
// the sink's commit and Kafka's never writes a record twice or skips one.
// Called on the poll thread, except flush(), called once on shutdown.
class DurableSink {
 public:
  virtual ~DurableSink() = default;
  // The next offset to read, or -1 to use the group's committed offset.
  virtual int64_t resume_offset(const std::string& topic, int32_t partition) = 0;
  // Every deferred record below this offset is durable (-1: none yet).
  virtual int64_t durable_through(const std::string& topic, int32_t partition) = 0;
  // The partition was revoked: drop what is buffered for it; its next owner re-reads it.
  virtual void release(const std::string& topic, int32_t partition) = 0;
  // Makes everything buffered durable, giving up at deadline_ms (monotonic).
  virtual void flush(int64_t deadline_ms) = 0;
  // The records it buffers before it flushes by size (0: none). The runtime
  // warns when queue.max_buffered_records is lower: deferred records count
  // against that bound, so the stage would stop reading before a flush by size
  // and the sink would flush only by age.
  virtual int64_t records_per_flush() const { return 0; }
};

// A processor that keeps state per input partition (windows, sequence numbers,
// dedupe sets). The runtime owns when state is saved and restored
// (pipeline/state/partition_states.h): state lives in the processor's memory
// between checkpoints, and each checkpoint is stored with the input offset it
// is valid at, so after a kill -9 or a rebalance the state and the position
// never disagree. Called on the poll thread; snapshot() only while none of the
// partition's records is being processed.
// A sealed part of a partition's state: once a checkpoint has stored a block
// under its name, that name never stands for other bytes, so the runtime
// stores each block once and later checkpoints only refer to it. State that
// grows by appending (a day of dedupe ids) is checkpointed this way, so a
// checkpoint costs what changed since the last one, not the whole state.
// `bytes` is called only for a block not stored yet (on the poll thread, before
// the processor sees another record); on restore it returns the stored bytes.
struct StateBlock {
  std::string name;  // [A-Za-z0-9._-]+, unique within the partition's state
  std::function<std::string()> bytes;
};

// One partition's state as a checkpoint holds it: `head`, rewritten by every
// checkpoint, and the sealed blocks the head refers to.
struct ProcessorState {
  ProcessorState() = default;
  ProcessorState(std::string h) : head(std::move(h)) {}  // NOLINT: most states are a head alone
  std::string head;
  std::vector<StateBlock> blocks;
};

class StatefulProcessor {
 public:
  virtual ~StatefulProcessor() = default;
  // The partition was assigned: its state from the last checkpoint (nullopt:
  // none yet). Called before any of its records reaches process().
  virtual void restore(const std::string& topic, int32_t partition,
                       const std::optional<ProcessorState>& state) = 0;
  // The partition's state reflecting exactly the records processed so far.
  virtual ProcessorState snapshot(const std::string& topic, int32_t partition) = 0;
  // The partition was revoked: forget its state.
  virtual void release(const std::string& topic, int32_t partition) = 0;
  // Outputs due without an input record — a window that time, not a record,
  // closed (an idle partition overtaken by the others). The runtime calls it
  // every `tick_interval` for each partition with nothing pending, running or
  // unacknowledged, produces the outputs, and checkpoints the changed state at
  // the same offset once they are acknowledged (docs/processors.md). A
  // processor that changes state here must return the outputs of that change.
  virtual std::vector<OutputRecord> tick(const std::string& topic, int32_t partition) {
    (void)topic;
    (void)partition;
    return {};
  }
};

// A processor whose every success is the consumed record passed on unchanged
// to each output (less the runtime's sluice.* headers, as `passthrough` does):
// a validator. A chain asks such a step only for its verdict and hands the
// record itself to the next step, instead of copying it into an output and
// back into a record (stages/chain/chain_processor.h).
class RecordFilter {
 public:
  virtual ~RecordFilter() = default;
  // Outcome::success() without outputs when the record passes, else the
  // failure process() would return for it.
  virtual Outcome check(const Record& record) = 0;
};

class Processor {
 public:
  virtual ~Processor() = default;
  virtual Outcome process(const Record& record) = 0;
  // Non-null for processors that only pass records on or fail them.
  virtual RecordFilter* filter() { return nullptr; }
  // Non-null for processors that buffer records into an external store.
  virtual DurableSink* durable_sink() { return nullptr; }
  // Non-null for processors that keep per-partition state across restarts.
  virtual StatefulProcessor* stateful() { return nullptr; }
  // True for a record addressed to this processor rather than data, such as
  // an operator's command in the input topic (sequence-check's `sluice
  // symbols halt`). A chain hands it straight to the first step that claims
  // it, past the steps before it that would refuse it as data (a decoder).
  virtual bool is_control(const Record&) const { return false; }
};

struct ProcessorContext {
  std::string stage;
  std::vector<std::string> outputs;  // the stage's output topics, in configured order
  YAML::Node options;                // the stage's `options:` block
  // The process's registry, for a processor's own series (downloads by host,
  // table commits); null in unit tests that do not care.
  ops::MetricsRegistry* metrics = nullptr;
  std::string processor;  // the `processor:` name, for messages
  // The pipeline file's directory: relative paths in options resolve against it
  // (resolve_option_path). Empty: the working directory (unit tests).
  std::filesystem::path base_dir;
  // Where each option was written, so errors name FILE:LINE (or the variable).
  std::map<std::string, ConfigSource> option_sources;
  // The stage's DLQ topic ("" when disabled): for outputs a processor makes
  // without a consumed record to fail (a chain's tick).
  std::string dead_letter_topic;
  // The pipeline's `schema_registry:` URL ("" when none): Avro processors' default.
  std::string schema_registry;
  Headers dead_letter_headers;  // the stage's dlq.headers, for those outputs too
};

struct PipelineConfig;
struct StageConfig;
// The context a stage of `config` gives its processor.
ProcessorContext processor_context(const PipelineConfig& config, const StageConfig& stage,
                                   ops::MetricsRegistry* metrics);

using ProcessorFactory = std::function<std::unique_ptr<Processor>(const ProcessorContext&)>;

// Processors register by name (the `processor:` key in pipeline YAML).
class ProcessorRegistry {
 public:
  static ProcessorRegistry& instance();
  // `options`: every top-level option key the processor understands.
  void add(const std::string& name, std::set<std::string> options, ProcessorFactory factory);
  // What can be checked without creating the processor (no files opened, no
  // tables created): the name and the option keys. Throws ConfigError for an
  // unknown name (listing the known ones) or option (with "did you mean").
  void check(const std::string& name, const ProcessorContext& context) const;
  // check(), then the factory; a processor's OptionError becomes a ConfigError
  // starting with the option's FILE:LINE.
  std::unique_ptr<Processor> create(const std::string& name, const ProcessorContext& context) const;
  std::vector<std::string> names() const;

 private:
  struct Entry {
    std::set<std::string> options;
    ProcessorFactory factory;
  };
  const Entry& find(const std::string& name, const ProcessorContext& context) const;

  std::map<std::string, Entry> entries_;
};

}  // namespace sluice::pipeline
