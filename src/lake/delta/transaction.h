// One optimistic write to a Delta table (PROTOCOL.md "Optimistic concurrency").
//
// A transaction reads the table at some version, stages its actions, and
// commits by creating the next log entry with put-if-absent. If another writer
// took that version first, the winners' commits are checked against what this
// transaction read and wrote:
//   - a metaData or protocol change              -> ConflictError
//   - a txn for one of this transaction's app ids -> ConflictError (the caller
//     must re-read its txn version: the data may already be in the table)
//   - a remove of a file this transaction removes -> ConflictError
//   - anything else (other writers' appends)      -> try the next version
// so concurrent blind appends all succeed and none is lost.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lake/delta/delta_log.h"

namespace sluice::lake::delta {

class Transaction {
 public:
  Transaction(DeltaLog& log, const TableState& read_state);

  void add(AddFile file) { adds_.push_back(std::move(file)); }
  void remove(const AddFile& file, bool data_change);
  void set_txn(const std::string& app_id, int64_t version);
  void set_metadata(Protocol protocol, Metadata metadata);

  // Commits and returns the version written. `max_attempts` bounds the
  // versions tried when other writers keep winning. Throws ConflictError or
  // DeltaError; the store's StoreError passes through.
  int64_t commit(const std::string& operation, std::map<std::string, std::string> parameters = {},
                 int max_attempts = 100);

 private:
  std::vector<Action> actions(const std::string& operation,
                              std::map<std::string, std::string> parameters, int64_t version) const;
  void check_conflicts(int64_t version) const;

  DeltaLog& log_;
  int64_t read_version_;
  std::vector<AddFile> adds_;
  std::vector<RemoveFile> removes_;
  std::map<std::string, int64_t> txns_;
  std::vector<Action> metadata_;  // protocol + metaData of a create
};

}  // namespace sluice::lake::delta
