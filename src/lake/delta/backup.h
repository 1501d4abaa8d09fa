// Table backups: a consistent copy of a Delta table at one version, in any
// object store (a directory, an S3 prefix), and its restore.
//
// A backup is itself a readable Delta table at that version — the JSON
// commits up to it, the newest checkpoint at or before it, and exactly the
// data files live at it, under the same relative paths — plus a manifest,
// `_sluice_backup.json`, listing every copied file with its size and SHA-256.
//
// Invariants:
//  - the manifest is written last: a backup without one is incomplete, and
//    restore refuses it;
//  - restore checks every file against the manifest before writing anything,
//    and writes the log after the data files, newest commit first and commit 0
//    last (then the checkpoint and its pointer), so the target is no table
//    (readers get "no table" or "the log is incomplete") until the last file
//    that makes it one is in place; a failure while copying removes what was
//    written;
//  - restore never writes into an existing table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lake/store/object_store.h"

namespace sluice::lake::delta {

inline constexpr std::string_view kBackupManifest = "_sluice_backup.json";

struct BackupFile {
  std::string path;  // relative to the table (and to the backup's root), as in the store
  int64_t size = 0;
  std::string sha256;  // 64 lower-case hex digits
};

struct BackupManifest {
  std::string source_store;  // the store's URL (no credentials, no endpoint)
  std::string source_table;  // the table's path in it
  std::string table_id;      // metaData.id
  int64_t version = -1;
  int64_t created_ms = 0;
  std::vector<BackupFile> files;

  int64_t bytes() const;
};

std::string to_manifest_json(const BackupManifest& manifest);
// Throws DeltaError naming `where` when the text is not a backup manifest.
BackupManifest parse_manifest(std::string_view text, const std::string& where);

// Copies `table` of `from` at `version` (default: the latest) to the root of
// `to`, which must hold no object yet. Throws DeltaError (no table, no such
// version, a file missing, a non-empty destination) or StoreError.
BackupManifest backup_table(ObjectStore& from, const std::string& table,
                            std::optional<int64_t> version, ObjectStore& to);

// Restores the backup at the root of `from` as `table` of `to`. Throws
// DeltaError naming the file when one is missing or does not match its
// checksum (then nothing was written), or when `table` already exists.
BackupManifest restore_table(ObjectStore& from, ObjectStore& to, const std::string& table);

}  // namespace sluice::lake::delta
