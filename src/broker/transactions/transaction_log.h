// The transaction state log: DATA_DIR/transactions/transaction_state.log, one
// line per state change of a transactional id, each line its whole state.
// The format is docs/formats/transaction-log.md.
//
// Invariant: the coordinator appends a transaction's new state here (with
// write(2), so it survives a kill -9; fdatasync'ed when `sync` is set) before it
// answers the request or writes a marker that depends on it. The last line of
// an id is its state. On open the log is replayed and rewritten with one line
// per id; a torn last line (a crash mid-write) is ignored, as the change it
// held was never answered. A write the disk refuses throws StorageError and
// leaves the file as it was (a partial line is cut off).
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "broker/storage/line_journal.h"
#include "broker/transactions/transaction_state.h"

namespace sluice::broker::transactions {

class TransactionLog {
 public:
  // Opens (or creates) DIR/transaction_state.log and replays it into `out`.
  // Throws std::runtime_error naming the file on I/O failure.
  TransactionLog(const std::filesystem::path& dir, bool sync,
                 std::map<std::string, TransactionMetadata>& out);
  ~TransactionLog();
  TransactionLog(const TransactionLog&) = delete;
  TransactionLog& operator=(const TransactionLog&) = delete;

  void write(const TransactionMetadata& txn);
  const std::filesystem::path& path() const { return path_; }

  // One line of the format; exposed for the unit tests of the format.
  static std::string encode(const TransactionMetadata& txn);
  static std::optional<TransactionMetadata> decode(const std::string& line);

 private:
  void rewrite(const std::map<std::string, TransactionMetadata>& all);

  std::filesystem::path path_;
  std::mutex mu_;
  LineJournal journal_;  // guarded by mu_
};

}  // namespace sluice::broker::transactions
