// Reconciliation of the claim-attachment pipeline: every input event must end
// as download tasks or a DLQ record, every task as exactly one table row or a
// DLQ record, and every stored row's object must exist. `sluice validate`
// prints the report; `sluice up` prints it as its final summary.
//
// The stages are found by processor (ingest, download, table-sink) in the
// pipeline file, so renamed topics or stages need no flags. Tasks are counted
// by task_id: Kafka stages are at-least-once, so a task may be produced twice,
// but it must become one row.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/pipeline_config.h"

namespace sluice::cli {

struct ReconcileReport {
  int64_t events = 0;  // records on the input topic (since the given time)
  int64_t events_dead_lettered = 0;
  int64_t tasks_expected = 0;  // distinct task ids the valid events call for
  int64_t tasks_produced = 0;  // distinct task ids on the tasks topic
  int64_t rows = 0;            // table rows for those tasks
  int64_t tasks_dead_lettered =
      0;  // distinct tasks in the download or result DLQs (parked included)
  int64_t objects_checked = 0;
  std::map<std::string, int64_t> dlq_categories;  // "<dlq topic> <category>" -> records
  std::vector<std::string> lost;                  // expected but neither a row nor a DLQ record
  std::vector<std::string> duplicated;            // more than one row
  std::vector<std::string> missing_objects;
  bool ok() const { return lost.empty() && duplicated.empty() && missing_objects.empty(); }
};

// What one pass cost, for `sluice validate`'s figures line.
struct PassCost {
  bool resumed = false;        // started from a checkpoint and read only what is new
  std::string why_full;        // why not (empty when resumed, or when no checkpoint was asked for)
  int64_t records_read = 0;    // Kafka records, every topic together
  int64_t files_read = 0;      // table data files read (new ones, and ones a compaction retired)
  int64_t table_version = -1;  // the table version the report describes
};

// `bootstrap` overrides the pipeline's; `since_ms` < 0 reconciles everything.
// A full pass: every topic and every table file is read.
ReconcileReport reconcile(const pipeline::PipelineConfig& config, const std::string& bootstrap,
                          int64_t since_ms);
// The same report, resuming from the checkpoint at `checkpoint_path` when it is
// there, readable and about this pipeline (validate_checkpoint.h), and leaving
// the new one there; otherwise, or when the topics or the table no longer match
// it, a full pass. `cost` says which and what was read.
ReconcileReport reconcile(const pipeline::PipelineConfig& config, const std::string& bootstrap,
                          int64_t since_ms, const std::string& checkpoint_path, PassCost& cost);
// `drained` false: the pipeline was stopped with work in flight, so tasks with
// neither a row nor a DLQ record are reported as IN FLIGHT, not LOST.
void print_report(const ReconcileReport& report, FILE* out, bool drained = true);

}  // namespace sluice::cli
