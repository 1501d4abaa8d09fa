// What `sluice validate` keeps between passes in DATA/validate.checkpoint, so
// that a pass reads only the records and table files that are new: how far
// each topic was read, which table version and files were read, and the
// ledger's figures (reconcile_ledger.h). The format is written down once, in
// docs/formats/validate-checkpoint.md.
//
// Crash behaviour: the file is written whole to a temporary name and renamed
// over the old one, so a reader sees the old or the new checkpoint; it is not
// fsync'ed, because losing it costs only a full pass. A file that is torn,
// truncated or edited fails its checksum and load_checkpoint() throws
// CheckpointCorrupt: the caller then makes a full pass.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "cli/support/scan_plan.h"
#include "cli/up/reconcile_ledger.h"

namespace sluice::cli {

struct ValidateCheckpoint {
  // What the figures are about (topics, table, store, --since): a pass with another scope must not
  // resume from them.
  std::string scope;
  std::map<std::string, ScanSpans> scans;  // by reader ("events", "dlq <topic>", ...)
  int64_t table_version = -1;              // -1: the table did not exist
  std::set<std::string> table_files;       // live data files at that version, all read
  LedgerFigures figures;
};

class CheckpointCorrupt : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void save_checkpoint(const std::string& path, const ValidateCheckpoint& checkpoint);
// nullopt when there is no file; throws CheckpointCorrupt naming the first problem.
std::optional<ValidateCheckpoint> load_checkpoint(const std::string& path);

}  // namespace sluice::cli
