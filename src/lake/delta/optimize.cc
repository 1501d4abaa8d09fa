// DeltaTable::optimize: compaction. Small files are read back and rewritten
// into files of about the target size, committed as removes + adds with
// dataChange=false, so streaming readers of the table skip the commit and the
// rows are neither lost nor doubled. A concurrent remove of the same files
// (another optimize) makes the commit conflict instead of both winning.
//
// A data file holds the rows of one partition, so small files are grouped by
// partition and each group is compacted into files of that partition (same
// directory, same partitionValues). Each file written is sorted by the
// caller's sort order (the table sink's sort_by), so compaction keeps files
// prunable: rows of several small files are sorted together, not concatenated.
#include <algorithm>

#include "common/crash_point.h"
#include "lake/delta/data_file.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/delta_table.h"
#include "lake/delta/partitions.h"
#include "lake/delta/transaction.h"

namespace sluice::lake::delta {
namespace {

// Small files of one partition, and of one compaction level when compaction is tiered.
using SmallFiles = std::map<std::pair<PartitionValues, int>, std::vector<const AddFile*>>;

SmallFiles small_files_by_partition(const TableState& state, int64_t target_bytes, bool tiered) {
  SmallFiles out;
  for (const auto& [path, f] : state.files) {
    if (f.size >= target_bytes / 2) continue;
    out[{f.partition_values, tiered ? compaction_level(f.path) : 0}].push_back(&f);
  }
  return out;
}

// Stages the rewrite of `files` (all of one partition) into files of about
// `target_bytes` in that partition.
void compact_partition(DeltaLog& log, Transaction& tx, const PartitionLayout& layout,
                       const FilePartition& partition, const std::vector<const AddFile*>& files,
                       int64_t target_bytes, const parquet::WriterOptions& options,
                       const SortOrder& sort_by, int level, OptimizeReport& report) {
  std::vector<parquet::Row> pending;
  int64_t pending_bytes = 0;
  auto write_pending = [&] {
    if (pending.empty()) return;
    tx.add(write_data_file(log, layout.data_schema(), pending, options, /*data_change=*/false,
                           partition, sort_by, level));
    report.files_written += 1;
    pending.clear();
    pending_bytes = 0;
  };
  for (const AddFile* f : files) {
    for (auto& row : read_data_file(log, layout, *f))
      pending.push_back(layout.data_row(std::move(row)));
    pending_bytes += f->size;
    tx.remove(*f, /*data_change=*/false);
    report.files_rewritten += 1;
    if (pending_bytes >= target_bytes) write_pending();
  }
  write_pending();
}

}  // namespace

OptimizeReport DeltaTable::optimize(int64_t target_bytes, int min_files,
                                    const parquet::WriterOptions& options, const SortOrder& sort_by,
                                    bool tiered) {
  TableState state = log_.load();
  if (state.version < 0) throw DeltaError("table " + log_.root() + " does not exist");
  OptimizeReport report;
  report.files_before = int64_t(state.files.size());
  const PartitionLayout layout(state.metadata);
  Transaction tx(log_, state);
  for (const auto& [group, files] : small_files_by_partition(state, target_bytes, tiered)) {
    if (int(files.size()) < std::max(min_files, 2)) continue;
    int level = 0;
    for (const AddFile* f : files) level = std::max(level, compaction_level(f->path));
    compact_partition(log_, tx, layout, layout.partition_of(group.first), files, target_bytes,
                      options, sort_by, level + 1, report);
  }
  if (report.files_rewritten == 0) return report;
  // A kill here leaves the compacted files as orphans; the small files stay live.
  crash_point("table.optimize.before_commit");
  report.version = commit(tx, "OPTIMIZE", {{"targetSize", std::to_string(target_bytes)}});
  return report;
}

}  // namespace sluice::lake::delta
