#include "lake/delta/delta_table.h"

#include <algorithm>
#include <set>

#include "common/clock.h"
#include "common/crash_point.h"
#include "common/random_id.h"
#include "lake/delta/data_file.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/partitions.h"
#include "lake/delta/transaction.h"

namespace sluice::lake::delta {
namespace {

std::string table_url(const DeltaLog& log) {
  return log.store().url() + "/" + log.root();
}

std::string bracketed(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const auto& n : names) out += (out.size() > 1 ? ", " : "") + n;
  return out + "]";
}

void check_partition_columns(const DeltaLog& log, const TableSchema& schema,
                             const std::vector<std::string>& partition_columns) {
  for (const auto& column : partition_columns) {
    std::string problem = partition_column_problem(schema, column);
    if (problem.empty() &&
        std::count(partition_columns.begin(), partition_columns.end(), column) > 1)
      problem = "is named twice";
    if (!problem.empty()) {
      throw DeltaError("cannot create table " + table_url(log) + " partitioned by '" + column +
                       "': the column " + problem);
    }
  }
}

void check_same_schema(const DeltaLog& log, const TableState& state, const TableSchema& schema) {
  TableSchema existing = parse_schema_string(state.metadata.schema_string);
  bool same = existing.size() == schema.size();
  for (size_t i = 0; same && i < schema.size(); ++i) {
    same = existing[i].name == schema[i].name && existing[i].type == schema[i].type &&
           existing[i].precision == schema[i].precision && existing[i].scale == schema[i].scale;
  }
  if (!same) {
    throw DeltaError("table " + table_url(log) + " exists with schema " +
                     state.metadata.schema_string +
                     ", which differs from the configured columns; "
                     "point the sink at a new table path or change the config to match");
  }
}

// A table's partition columns are fixed when it is created: every file's
// directory and partitionValues depend on them.
void check_same_partitioning(const DeltaLog& log, const TableState& state,
                             const std::vector<std::string>& partition_columns) {
  if (state.metadata.partition_columns == partition_columns) return;
  const std::string existing = bracketed(state.metadata.partition_columns);
  throw DeltaError("table " + table_url(log) + " is partitioned by " + existing + ", not by " +
                   bracketed(partition_columns) +
                   " as configured; a table's partition columns cannot change: set partition_by "
                   "to " +
                   existing + " or point the sink at a new table path");
}

// Data files live in the table root or in non-hidden directories (PROTOCOL.md
// "Data Files"). A directory starting with '_' or '.' (_delta_log,
// _change_data, ...) holds no data file, unless it is the partition directory
// of a column whose name starts that way.
bool in_data_directory(const std::string& path, const std::vector<std::string>& partition_columns) {
  const auto is_partition_directory = [&](std::string_view dir) {
    return std::any_of(partition_columns.begin(), partition_columns.end(), [&](const auto& c) {
      return dir.starts_with(escape_path_segment(c) + "=");
    });
  };
  size_t start = 0;
  for (size_t slash = path.find('/'); slash != std::string::npos;
       start = slash + 1, slash = path.find('/', start)) {
    const std::string_view dir(path.data() + start, slash - start);
    const bool hidden = !dir.empty() && (dir[0] == '_' || dir[0] == '.');
    if (hidden && !is_partition_directory(dir)) return false;
  }
  return true;
}

}  // namespace

DeltaTable::DeltaTable(ObjectStore& store, std::string root, int checkpoint_interval)
    : log_(store, std::move(root)), checkpoint_interval_(checkpoint_interval) {}

int64_t DeltaTable::commit(Transaction& tx, const std::string& operation,
                           std::map<std::string, std::string> params) {
  int64_t version = tx.commit(operation, std::move(params));
  if (checkpoint_interval_ > 0 && version > 0 && version % checkpoint_interval_ == 0) {
    // Best effort: a missing checkpoint only makes readers replay more JSON.
    try {
      log_.write_checkpoint(log_.load(version));
    } catch (const std::exception&) {
    }
  }
  return version;
}

TableState DeltaTable::create_or_check(const std::string& name, const TableSchema& schema,
                                       const std::vector<std::string>& partition_columns) {
  TableState state = log_.load();
  if (state.version < 0) {
    check_partition_columns(log_, schema, partition_columns);
    Metadata m{random_uuid(), name, to_schema_string(schema), partition_columns, {}, now_ms()};
    m.configuration["delta.checkpointInterval"] = std::to_string(checkpoint_interval_);
    Transaction tx(log_, state);
    tx.set_metadata(Protocol{1, 2}, m);
    try {
      commit(tx, "CREATE TABLE", {{"isManaged", "false"}});
    } catch (const ConflictError&) {
      // Created concurrently by another writer: fall through and compare with theirs.
    }
    state = log_.load();
  }
  check_same_schema(log_, state, schema);
  check_same_partitioning(log_, state, partition_columns);
  return state;
}

int64_t DeltaTable::append(std::vector<parquet::Row> rows,
                           const std::map<std::string, int64_t>& txns,
                           const parquet::WriterOptions& options, const SortOrder& sort_by) {
  TableState state = log_.load();
  if (state.version < 0)
    throw DeltaError("table " + log_.root() + " does not exist; create it first");
  Transaction tx(log_, state);
  const PartitionLayout layout(state.metadata);
  for (const auto& group : layout.split(std::move(rows))) {
    tx.add(write_data_file(log_, layout.data_schema(), group.rows, options, /*data_change=*/true,
                           group.partition, sort_by));
  }
  for (const auto& [app, v] : txns) tx.set_txn(app, v);
  // A kill here leaves the data files as orphans no version references; vacuum deletes them.
  crash_point("table.before_commit");
  return commit(tx, "WRITE", {{"mode", "Append"}});
}

std::vector<CommitSummary> DeltaTable::history(int limit) const {
  std::vector<int64_t> versions = log_.commit_versions();
  std::vector<CommitSummary> out;
  for (auto it = versions.rbegin(); it != versions.rend() && int(out.size()) < limit; ++it) {
    CommitSummary s;
    s.version = *it;
    TableState counter;  // reuses live_records() to sum the adds' numRecords
    for (const auto& a : log_.read_commit(*it)) {
      if (const auto* info = std::get_if<CommitInfo>(&a)) {
        s.timestamp = info->timestamp;
        s.operation = info->operation;
        s.writer = info->engine_info;
        s.parameters = info->operation_parameters;
      } else if (const auto* add = std::get_if<AddFile>(&a)) {
        s.files_added += 1;
        if (add->data_change) counter.apply(a);
      } else if (std::holds_alternative<RemoveFile>(a)) {
        s.files_removed += 1;
      }
    }
    s.records_added = counter.live_records();
    out.push_back(std::move(s));
  }
  return out;
}

VacuumReport DeltaTable::vacuum(int64_t older_than_ms, bool dry_run) {
  TableState state = log_.load();
  if (state.version < 0) throw DeltaError("table " + log_.root() + " does not exist");
  const int64_t cutoff = now_ms() - older_than_ms;
  VacuumReport report;
  // Every file any retained version might still read stays. The log names
  // files by URI, the store by key: compare paths relative to the table root.
  std::set<std::string> keep, tombstoned;
  for (const auto& [path, f] : state.files) keep.insert(path_from_uri(path));
  for (const auto& [path, r] : state.tombstones) {
    tombstoned.insert(path_from_uri(path));
    if (r.deletion_timestamp >= cutoff) keep.insert(path_from_uri(path));
  }
  // The listing is recursive: it covers the root and every partition directory.
  const std::string prefix = log_.key("");
  for (const auto& info : log_.store().list(prefix)) {
    std::string path = info.key.substr(prefix.size());
    if (keep.count(path) || !path.ends_with(".parquet") ||
        !in_data_directory(path, state.metadata.partition_columns))
      continue;
    const bool was_removed = tombstoned.count(path) > 0;
    // An orphan younger than the cutoff may belong to a commit in progress.
    if (!was_removed && info.modified_ms > cutoff) continue;
    (was_removed ? report.removed_tombstoned : report.removed_orphans).push_back(path);
    report.bytes += info.size;
    if (!dry_run) log_.store().remove(info.key);
  }
  // Half-written files of puts killed before their rename (local store): never
  // objects, so no version can need them; young ones may be writes in progress.
  for (const auto& info : log_.store().list_unfinished(prefix)) {
    if (info.modified_ms > cutoff) continue;
    report.removed_unfinished.push_back(info.key.substr(prefix.size()));
    report.bytes += info.size;
    if (!dry_run) log_.store().remove_unfinished(info.key);
  }
  if (!dry_run && !(report.removed_tombstoned.empty() && report.removed_orphans.empty())) {
    Transaction tx(log_, state);
    commit(tx, "VACUUM END",
           {{"status", "COMPLETED"},
            {"numDeletedFiles",
             std::to_string(report.removed_tombstoned.size() + report.removed_orphans.size())}});
  }
  return report;
}

}  // namespace sluice::lake::delta
