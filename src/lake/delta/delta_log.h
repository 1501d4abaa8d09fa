// A table's transaction log in an object store: `<root>/_delta_log/` holds one
// JSON commit per version (00000000000000000007.json), Parquet checkpoints
// (00000000000000000010.checkpoint.parquet) and `_last_checkpoint`.
//
// Invariant: version N exists only if it was written whole by one writer —
// commits are put-if-absent, so two writers can never both create version N;
// the loser sees false and must re-read before trying N+1.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lake/delta/actions.h"
#include "lake/delta/table_state.h"
#include "lake/store/object_store.h"

namespace sluice::lake::delta {

class DeltaLog {
 public:
  // `root` is the table's key prefix in the store ("" for the store's root).
  DeltaLog(ObjectStore& store, std::string root);

  // The state at `version` (default: the latest); version -1 when no table.
  // Starts from the newest checkpoint at or before it when there is one.
  TableState load(std::optional<int64_t> version = std::nullopt) const;
  // Applies the commits after `state.version` up to the latest.
  void update(TableState& state) const;
  // Writes commit `version` unless it exists; false if another writer got there first.
  bool try_commit(int64_t version, const std::vector<Action>& actions);
  std::vector<Action> read_commit(int64_t version) const;
  bool has_commit(int64_t version) const;
  // Versions of the JSON commits present, ascending.
  std::vector<int64_t> commit_versions() const;
  // Writes a checkpoint of `state` and points _last_checkpoint at it.
  void write_checkpoint(const TableState& state);

  // Key of a path relative to the table root ("part-0001.parquet" -> "<root>/part-0001.parquet").
  std::string key(const std::string& path) const;
  // Key of the data file an add or remove names: its `path` is a URI ("a=x%252Fy/part-1.parquet"
  // is the key "<root>/a=x%2Fy/part-1.parquet").
  std::string data_file_key(const std::string& uri_path) const;
  ObjectStore& store() const { return store_; }
  const std::string& root() const { return root_; }

 private:
  std::optional<int64_t> last_checkpoint() const;
  std::string commit_key(int64_t version) const;
  std::string checkpoint_key(int64_t version) const;

  ObjectStore& store_;
  std::string root_;
};

}  // namespace sluice::lake::delta
