// The state of a Delta table at one version: what replaying its log from the
// start (or from a checkpoint) yields. Rebuilt by DeltaLog::load().
//
// Invariant: `files` holds exactly the data files an `add` made live and no
// later `remove` retired; `txns` holds each application's highest version.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "lake/delta/actions.h"

namespace sluice::lake::delta {

struct TableState {
  int64_t version = -1;  // -1: the table does not exist yet
  Protocol protocol;
  Metadata metadata;
  std::map<std::string, AddFile> files;          // live data files by path
  std::map<std::string, RemoveFile> tombstones;  // removed files, kept for vacuum's retention
  std::map<std::string, Txn> txns;               // by app id

  void apply(const Action& action);
  // The committed version of an application, or -1 if it never committed.
  int64_t txn_version(const std::string& app_id) const;
  int64_t live_bytes() const;
  int64_t live_records() const;  // from each file's stats.numRecords; files without stats count 0
};

// A data file's stats.numRecords; 0 for a file without stats.
int64_t num_records(const AddFile& file);

}  // namespace sluice::lake::delta
