// `table-sink`: writes a stage's JSON events as rows of a Delta table,
// exactly once.
//
// Records are buffered per partition and flushed — by row count, estimated
// bytes or age — as one commit holding one Parquet file per table partition
// (one file when the table is not partitioned) and one `txn` action per Kafka
// partition (app id "<stage>/<topic>/<partition>", version = last offset in
// the commit). On assignment the runtime asks resume_offset(), which is the
// table's txn version + 1, so whatever Kafka's committed offset says, a
// record is in the table once. A commit that fails is retried with backoff
// while the buffer holds (the runtime backpressures); nothing is dropped.
// A commit that loses a race to another writer for the same partition
// (a rebalance overlap) drops the rows the winner already wrote and retries.
// The crash points table.before_commit and table.after_commit (SLUICE_CRASH_AT,
// docs/reliability.md) let tests kill the process on either side of a commit.
//
// Options (pipeline YAML `options:`):
//   store: URL                 file:///..., /path or s3://bucket/prefix (see docs/object-store.md)
//   table: PATH                the table's prefix in the store
//   columns: {name: type, ...} in order; "type" or "type not null"
//   file_max_rows: 50000       flush when a buffer reaches this many rows
//   file_max_bytes: 64MiB      ... or this many (estimated) bytes
//   flush_interval_ms: 2000    ... or when its oldest row is this old
//   codec: snappy|zstd|none
//   checkpoint_interval: 10
//   optimize_min_files: 0      when > 0: compact once this many small files are live
//                              in one table partition
//   optimize_target_bytes: 128MiB
//   unique_key: COLUMN         a string column whose value appears at most once in the
//                              table: a repeat (an upstream at-least-once redelivery) is
//                              acknowledged without a row, whether its first copy was
//                              written before a restart, by another replica or into
//                              another file. Keys of the whole table are kept in memory
//                              (files new since are read at each assignment). Cannot be
//                              a partition column.
//   partition_by: [COLUMN, ...] the table's partition columns, in order (default: none).
//                              Each is one of `columns`, of type string, integer, long,
//                              date, timestamp or boolean. Files go to Hive-style
//                              directories `col=value/` and hold only the other columns;
//                              the values are in each file's add.partitionValues. Fixed
//                              when the table is created: a different list for an
//                              existing table stops the stage with an error. An event
//                              whose partition directory name would exceed 255 bytes
//                              goes to the DLQ (validation).
//   derive: {COLUMN: fn(SOURCE)} columns computed from a timestamp or date column of the
//                              same row: year, month, day, hour (integer/long) or date
//                              (lake/delta/derived_columns.h); for time partitions, e.g.
//                              partition_by: [year, month, day, hour].
//   sort_by: [COLUMN, ...]      each Parquet file's rows sorted by these columns (not
//                              partition columns), ascending, nulls first — each flush's
//                              files and each file optimize writes — so per-file and
//                              row-group min/max statistics are narrow and prune well.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>

#include "lake/delta/delta_table.h"
#include "lake/delta/partitions.h"
#include "lake/store/object_store.h"
#include "pipeline/processor.h"
#include "stages/table_sink/table_sink_options.h"

namespace sluice::stages {

class TableSink : public pipeline::Processor, public pipeline::DurableSink {
 public:
  explicit TableSink(const pipeline::ProcessorContext& context);
  ~TableSink() override;

  pipeline::Outcome process(const pipeline::Record& record) override;
  pipeline::DurableSink* durable_sink() override { return this; }

  int64_t resume_offset(const std::string& topic, int32_t partition) override;
  int64_t durable_through(const std::string& topic, int32_t partition) override;
  void release(const std::string& topic, int32_t partition) override;
  void flush(int64_t deadline_ms) override;
  int64_t records_per_flush() const override { return options_.file_max_rows; }

 private:
  using TopicPartition = std::pair<std::string, int32_t>;
  struct Buffer {
    std::vector<std::pair<int64_t, lake::parquet::Row>> rows;  // (offset, row), offset order
    int64_t bytes = 0;
    int64_t oldest_ms = 0;
    int64_t durable = -1;     // offsets below are in the table
    uint64_t generation = 0;  // bumped by release(): a flush in progress must not touch it
  };
  struct Taken;

  void flusher();
  bool due(int64_t now) const;
  bool flush_once();
  std::vector<Taken> take();
  void give_back(std::vector<Taken>& taken);
  void mark_durable(const TopicPartition& tp, uint64_t generation, int64_t next_offset);
  void commit(std::vector<Taken>& taken);
  // The compactor thread: after a commit, compacts when optimize_min_files small
  // files are live. Its own thread and its own DeltaTable (on the same store), so
  // that rewriting a partition's files never holds up the next commit: its commit
  // rebases over the sink's appends (transaction.h).
  void compactor();
  void maybe_optimize();
  std::string app_id(const TopicPartition& tp) const;
  void find_key_column();
  void load_committed_keys();
  std::string key_of(const lake::parquet::Row& row) const;
  void forget_keys(const std::vector<std::pair<int64_t, lake::parquet::Row>>& rows);

  // Counters exported as sluice_table_commits_total{stage,table,result} and
  // sluice_table_rows_written_total{stage,table}; standalone ones when the
  // context has no registry.
  struct Metrics {
    ops::Counter *committed, *conflicts, *failed, *rows;
  };
  Metrics make_metrics(ops::MetricsRegistry* registry);

  std::string stage_;
  TableSinkOptions options_;
  std::vector<bool> computed_;           // per column: derived (derive:), not read from the event
  lake::delta::PartitionLayout layout_;  // of options_.columns, which the table is checked to have
  ops::Counter fallback_[4];
  Metrics metrics_;
  std::unique_ptr<lake::ObjectStore> store_;
  std::unique_ptr<lake::delta::DeltaTable> table_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<TopicPartition, Buffer> buffers_;
  bool stopping_ = false;
  int flushing_ = 0;
  int key_column_ = -1;                        // unique_key's column, or -1
  std::unordered_set<std::string> seen_keys_;  // keys in the table or buffered (with unique_key) //
                                               // flushes between take() and their outcome
  std::mutex key_files_mu_;                    // held while loading keys, outside mu_
  std::set<std::string> key_files_;            // live files whose keys are in seen_keys_
  std::thread flusher_;
  std::unique_ptr<lake::delta::DeltaTable> compaction_table_;  // used by the compactor only
  std::condition_variable compact_wake_;                       // with mu_
  bool compaction_due_ = false;                                // a commit since the last run
  std::thread compactor_;
};

}  // namespace sluice::stages
