// DeltaTable::expire_partitions: retention by partition ("delete what is older
// than 30 days"). Whole partitions go, never parts of one: a partition is
// removed only when the time it covers ends before the cutoff, so the commit
// needs no data file read or rewritten — only remove actions, in one commit, so
// readers see all the old partitions disappear at once or none of them.
//
// A concurrent append into an old partition (a late event) is not lost: the
// commit removes only the files it read, and the next run removes the new one.
#include <algorithm>
#include <map>

#include "lake/delta/delta_error.h"
#include "lake/delta/delta_table.h"
#include "lake/delta/partition_clock.h"
#include "lake/delta/partitions.h"
#include "lake/delta/time_text.h"
#include "lake/delta/transaction.h"

namespace sluice::lake::delta {

ExpireReport DeltaTable::expire_partitions(const std::string& time_column, int64_t cutoff_ms,
                                           bool dry_run, bool delete_files) {
  TableState state = log_.load();
  if (state.version < 0) throw DeltaError("table " + log_.root() + " does not exist");
  std::optional<PartitionClock> partition_clock;
  try {
    partition_clock.emplace(state.metadata, time_column);
  } catch (const DeltaError& e) {
    throw DeltaError("cannot delete old partitions of table " + log_.store().url() + "/" +
                     log_.root() + ": " + e.what());
  }
  ExpireReport report;
  report.time_columns = partition_clock->description();
  const PartitionLayout layout(state.metadata);
  std::map<PartitionValues, std::vector<const AddFile*>> by_partition;
  for (const auto& [path, f] : state.files) by_partition[f.partition_values].push_back(&f);

  Transaction tx(log_, state);
  for (const auto& [values, files] : by_partition) {
    const auto end = partition_clock->end_ms(values);
    if (!end) {
      report.partitions_without_time += 1;
      continue;
    }
    if (*end > cutoff_ms) {
      report.partitions_kept += 1;
      continue;
    }
    ExpiredPartition p{layout.partition_of(values).directory, *end, {}, 0, 0};
    for (const AddFile* f : files) {
      p.files.push_back(path_from_uri(f->path));
      p.bytes += f->size;
      p.records += num_records(*f);
      tx.remove(*f, /*data_change=*/true);
    }
    report.partitions.push_back(std::move(p));
  }
  // Oldest first, as an operator reads a retention report (the map orders partition values as
  // text).
  std::stable_sort(
      report.partitions.begin(), report.partitions.end(),
      [](const ExpiredPartition& a, const ExpiredPartition& b) { return a.end_ms < b.end_ms; });
  if (dry_run || report.partitions.empty()) return report;
  report.version = commit(tx, "DELETE",
                          {{"predicate", "partitions of " + report.time_columns + " ending by " +
                                             format_timestamp_iso_millis(cutoff_ms * 1000)},
                           {"numRemovedPartitions", std::to_string(report.partitions.size())}});
  if (!delete_files) return report;
  for (const auto& p : report.partitions) {
    for (const auto& path : p.files) {
      log_.store().remove(log_.key(path));
      report.files_deleted.push_back(path);
    }
  }
  return report;
}

}  // namespace sluice::lake::delta
