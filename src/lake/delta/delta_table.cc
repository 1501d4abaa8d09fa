#include "lake/delta/delta_table.h"

#include <set>

#include "common/clock.h"
#include "common/random_id.h"
#include "lake/delta/data_file.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/transaction.h"

namespace sluice::lake::delta {

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

TableState DeltaTable::create_or_check(const std::string& name, const TableSchema& schema) {
  TableState state = log_.load();
  if (state.version < 0) {
    Metadata m{random_uuid(), name, to_schema_string(schema), {}, {}, now_ms()};
    m.configuration["delta.checkpointInterval"] = std::to_string(checkpoint_interval_);
    Transaction tx(log_, state);
    tx.set_metadata(Protocol{1, 2}, m);
    try {
      commit(tx, "CREATE TABLE", {{"isManaged", "false"}});
    } catch (const ConflictError&) {
      // Created concurrently by another writer: fall through and compare schemas.
    }
    state = log_.load();
  }
  TableSchema existing = parse_schema_string(state.metadata.schema_string);
  bool same = existing.size() == schema.size();
  for (size_t i = 0; same && i < schema.size(); ++i) {
    same = existing[i].name == schema[i].name && existing[i].type == schema[i].type;
  }
  if (!same) {
    throw DeltaError("table " + log_.store().url() + "/" + log_.root() + " exists with schema " +
                     state.metadata.schema_string +
                     ", which differs from the configured columns; "
                     "point the sink at a new table path or change the config to match");
  }
  return state;
}

int64_t DeltaTable::append(const std::vector<parquet::Row>& rows,
                           const std::map<std::string, int64_t>& txns,
                           const parquet::WriterOptions& options) {
  TableState state = log_.load();
  if (state.version < 0)
    throw DeltaError("table " + log_.root() + " does not exist; create it first");
  Transaction tx(log_, state);
  if (!rows.empty())
    tx.add(write_data_file(log_, parse_schema_string(state.metadata.schema_string), rows, options));
  for (const auto& [app, v] : txns) tx.set_txn(app, v);
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
  // Every file any retained version might still read stays.
  std::set<std::string> keep;
  for (const auto& [path, f] : state.files) keep.insert(path);
  for (const auto& [path, r] : state.tombstones) {
    if (r.deletion_timestamp >= cutoff) keep.insert(path);
  }
  const std::string prefix = log_.key("");
  for (const auto& info : log_.store().list(prefix)) {
    std::string path = info.key.substr(prefix.size());
    if (path.rfind("_delta_log/", 0) == 0 || keep.count(path) || !path.ends_with(".parquet"))
      continue;
    bool tombstoned = state.tombstones.count(path) > 0;
    // An orphan younger than the cutoff may belong to a commit in progress.
    if (!tombstoned && info.modified_ms > cutoff) continue;
    (tombstoned ? report.removed_tombstoned : report.removed_orphans).push_back(path);
    report.bytes += info.size;
    if (!dry_run) log_.store().remove(info.key);
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
