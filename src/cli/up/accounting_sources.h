// Where accounting reads its figures from, shared by the pipeline shapes of
// accounting.cc: a table-sink stage's Delta table, the records of a topic, and
// the demo source's manifest of expected outcomes.
//
// Invariant: each reader counts what it read into the pass's PassCost, and a
// topic that was never created reads as empty (nothing went there).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "cli/support/topic_scan.h"
#include "cli/up/reconcile.h"
#include "lake/delta/delta_table.h"
#include "lake/delta/table_schema.h"
#include "lake/parquet/file_writer.h"
#include "lake/store/object_store.h"
#include "pipeline/pipeline_config.h"

namespace sluice::cli {

// A stage option's text; `fallback` when absent, or std::invalid_argument
// naming the stage and saying accounting needs it when there is no fallback.
std::string stage_option(const pipeline::StageConfig& s, const char* key,
                         const std::string& fallback = "");

// A processor of a pipeline: a stage of its own, or a step of a `chain` stage.
struct PipelinePart {
  const pipeline::StageConfig* stage = nullptr;  // null: the pipeline has none
  YAML::Node options;                            // the stage's options, or the step's
  // As stage_option, from `options`.
  std::string option(const char* key, const std::string& fallback = "") const;
};
// The first stage or chain step running `processor`.
PipelinePart find_part(const pipeline::PipelineConfig& c, const std::string& processor);

// The Delta table a table-sink stage writes, as of now.
class SinkTable {
 public:
  SinkTable(const pipeline::PipelineConfig& c, const pipeline::StageConfig& sink);
  int64_t version() const { return state_.version; }  // -1: no commit yet
  // Throws std::invalid_argument naming the table when it has no such column.
  size_t column(const std::string& name) const;
  // Every live row; `files` counts the files read.
  void each_row(const std::function<void(const lake::parquet::Row&)>& take, int64_t& files) const;

 private:
  std::unique_ptr<lake::ObjectStore> store_;
  std::string name_;
  std::unique_ptr<lake::delta::DeltaTable> table_;
  lake::delta::TableState state_;
  lake::delta::TableSchema schema_;
};

// Counts a topic's records (all, or from `since_ms` when asked), calling
// `visit` on each; records read go into `cost`.
class TopicCounter {
 public:
  TopicCounter(kafka::AdminClient& admin, PassCost& cost, int64_t since_ms)
      : admin_(admin), cost_(cost), since_ms_(since_ms) {}
  int64_t count(const std::string& topic, bool since = false,
                const std::function<void(const ScannedRecord&)>& visit = nullptr);
  // What a stage set aside: its DLQ, its parked DLQ (`<dlq>.parked`) and the
  // records degradation parked (`<input>.shed`, docs/degradation.md).
  int64_t dead_letters(const pipeline::StageConfig& s);

 private:
  kafka::AdminClient& admin_;
  PassCost& cost_;
  int64_t since_ms_;
};

// The demo source's manifest: one JSON line per acknowledged event, each with
// an "expected" outcome.
struct SourceManifest {
  bool present = false;
  int64_t events = 0;
  std::map<std::string, int64_t> expected;  // outcome -> events
  int64_t of(const std::string& outcome) const {
    auto it = expected.find(outcome);
    return it == expected.end() ? 0 : it->second;
  }
};
SourceManifest read_source_manifest(const std::string& path);  // "" or missing: not present

}  // namespace sluice::cli
