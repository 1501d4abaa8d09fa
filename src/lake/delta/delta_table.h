// A Delta table as operators and the table sink see it: create, append data
// files with txn markers (exactly-once), history, vacuum and optimize. A table
// may be partitioned (see partitions.h): appends then write one file per
// partition, and optimize compacts files only within their partition.
//
// Invariants: every change is one commit through Transaction, so concurrent
// writers never lose each other's appends; a checkpoint is written every
// `checkpoint_interval` versions so readers never replay more than that many
// JSON commits.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lake/delta/delta_log.h"
#include "lake/delta/row_order.h"
#include "lake/delta/table_schema.h"
#include "lake/parquet/file_writer.h"

namespace sluice::lake::delta {

struct CommitSummary {
  int64_t version = 0;
  int64_t timestamp = 0;
  std::string operation;
  std::string writer;  // the commit's engineInfo: "sluice", "delta-rs:py-1.6.6", ...
  std::map<std::string, std::string> parameters;
  int64_t files_added = 0, files_removed = 0, records_added = 0;
};

struct VacuumReport {
  std::vector<std::string> removed_tombstoned;  // retired by a commit, past retention
  std::vector<std::string> removed_orphans;  // never committed (a crash between upload and commit)
  std::vector<std::string> removed_unfinished;  // temp files of writes killed half-way
  int64_t bytes = 0;
};

// One partition `expire_partitions` removes (or would): all its live files.
struct ExpiredPartition {
  std::string directory;           // relative to the table: "year=2026/month=10/"
  int64_t end_ms = 0;              // the end of the time it covers (PartitionClock)
  std::vector<std::string> files;  // paths relative to the table, as in the store
  int64_t bytes = 0, records = 0;
};

struct ExpireReport {
  std::string time_columns;  // PartitionClock::description(): what the time was read from
  std::vector<ExpiredPartition> partitions;
  int64_t partitions_kept = 0;          // younger than the cutoff
  int64_t partitions_without_time = 0;  // null or unreadable time: always kept
  int64_t version = -1;                 // the commit that removed them; -1: none (dry run, nothing)
  std::vector<std::string> files_deleted;  // objects deleted after the commit
};

struct OptimizeReport {
  int64_t files_before = 0, files_rewritten = 0, files_written = 0,
          version = -1;  // -1: nothing to do
};

class DeltaTable {
 public:
  DeltaTable(ObjectStore& store, std::string root, int checkpoint_interval = 10);

  TableState state() const { return log_.load(); }
  // Creates the table partitioned by `partition_columns` (none: unpartitioned),
  // or checks that an existing one has this schema and these partition columns.
  // Throws DeltaError if not, or if a partition column cannot be one.
  TableState create_or_check(const std::string& name, const TableSchema& schema,
                             const std::vector<std::string>& partition_columns = {});
  // Writes `rows` (rows of the table schema) as one data file per partition and
  // commits them with `txns` (app id -> version) in one transaction, so all of
  // them or none become live. Returns the version written.
  // Each data file's rows are in `sort_by` order (row_order.h).
  int64_t append(std::vector<parquet::Row> rows, const std::map<std::string, int64_t>& txns,
                 const parquet::WriterOptions& options = {}, const SortOrder& sort_by = {});
  std::vector<CommitSummary> history(int limit) const;
  // Deletes files no live version needs: tombstones older than `older_than_ms`
  // and orphans (never committed) older than that too, in the table root and
  // every partition directory. Hidden directories (_delta_log, _change_data, ...) are left alone.
  VacuumReport vacuum(int64_t older_than_ms, bool dry_run);
  // Removes every partition whose time (read by PartitionClock from the
  // partition values, `time_column` as PartitionClock takes it) ends at or
  // before `cutoff_ms`: one commit of remove actions for all their live files,
  // then, when `delete_files`, deletes exactly those files from the store (the
  // space comes back now, not after vacuum's retention; older versions of the
  // table can no longer read them). Nothing is written when `dry_run`. Throws
  // DeltaError for an unpartitioned table or a time column that does not fit.
  ExpireReport expire_partitions(const std::string& time_column, int64_t cutoff_ms, bool dry_run,
                                 bool delete_files);
  // Rewrites live files smaller than target_bytes/2 into files of about
  // target_bytes, in one commit with dataChange=false. Files are only combined
  // with files of the same partition, and a partition needs >= min_files small files.
  // Each file written has its rows in `sort_by` order (row_order.h).
  // `tiered`: small files are grouped by compaction level too (data_file.h: an
  // append writes level 0, compacting level-N files writes level N + 1), so a
  // compacted file waits for min_files others of its level instead of being
  // rewritten with every min_files new small ones — the table sink compacts
  // after its commits, and rewriting a day's partition each time is quadratic
  // in the day's rows.
  OptimizeReport optimize(int64_t target_bytes, int min_files,
                          const parquet::WriterOptions& options = {}, const SortOrder& sort_by = {},
                          bool tiered = false);

  DeltaLog& log() { return log_; }
  int64_t commit(class Transaction& tx, const std::string& operation,
                 std::map<std::string, std::string> params);

 private:
  DeltaLog log_;
  int checkpoint_interval_;
};

}  // namespace sluice::lake::delta
