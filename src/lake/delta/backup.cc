// backup_table / restore_table (see backup.h for the layout and invariants).
// Files are copied one at a time through memory, as the object store API
// reads and writes whole objects; a table's data files are bounded by the
// sink's file_max_bytes and optimize's target size.
#include "lake/delta/backup.h"

#include <algorithm>
#include <cstdio>

#include "common/clock.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/delta_log.h"
#include "lake/delta/partitions.h"
#include "lake/store/sigv4.h"

namespace sluice::lake::delta {
namespace {

constexpr std::string_view kLogDir = "_delta_log/";
constexpr std::string_view kCheckpointSuffix = ".checkpoint.parquet";

// "00000000000000000010.checkpoint.parquet" -> 10; a JSON commit -> its version
// too (`json` set); anything else -> nullopt.
std::optional<int64_t> log_file_version(std::string_view name, bool* json) {
  if (name.size() < 20) return std::nullopt;
  const std::string_view rest = name.substr(20);
  *json = rest == ".json";
  if (!*json && rest != kCheckpointSuffix) return std::nullopt;
  int64_t v = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string where(const ObjectStore& store, const std::string& key) {
  return store.url() + "/" + key;
}

// The log files a copy of the table at `version` needs: every JSON commit up
// to it and the newest single-file checkpoint at or before it (with
// _last_checkpoint when it points there). Paths relative to the table.
std::vector<std::string> log_files_at(ObjectStore& store, const DeltaLog& log, int64_t version) {
  const std::string prefix = log.key(std::string(kLogDir));
  std::vector<std::string> out;
  std::optional<int64_t> checkpoint;
  for (const auto& info : store.list(prefix)) {
    const std::string name = info.key.substr(prefix.size());
    bool json = false;
    const auto v = log_file_version(name, &json);
    if (!v || *v > version) continue;
    if (json) {
      out.push_back(std::string(kLogDir) + name);
    } else {
      checkpoint = std::max(checkpoint.value_or(-1), *v);
    }
  }
  if (checkpoint) {
    char name[40];
    std::snprintf(name, sizeof name, "%020lld", static_cast<long long>(*checkpoint));
    out.push_back(std::string(kLogDir) + name + std::string(kCheckpointSuffix));
    // _last_checkpoint only when it names this checkpoint: a reader replays
    // the JSON commits (all copied) otherwise, never a checkpoint past `version`.
    const std::string pointer = std::string(kLogDir) + "_last_checkpoint";
    const std::string field = "\"version\":" + std::to_string(*checkpoint);
    if (auto text = store.get(log.key(pointer));
        text && (text->find(field + ",") != std::string::npos ||
                 text->find(field + "}") != std::string::npos)) {
      out.push_back(pointer);
    }
  }
  return out;
}

// The order restore writes files in: data files, then the JSON commits newest
// first, commit 0 last, then the checkpoint and last of all _last_checkpoint.
// Until commit 0 (or, in a log without it, the pointer to the checkpoint) is
// written, readers see a log with a gap and refuse it: the target becomes a
// table, at the backed-up version, with the last put that makes it one.
int write_rank(const std::string& path, int64_t* version) {
  bool json = false;
  if (!path.starts_with(kLogDir)) return 0;
  const auto v = log_file_version(path.substr(kLogDir.size()), &json);
  *version = v.value_or(0);
  if (!v) return 3;     // _last_checkpoint
  return json ? 1 : 2;  // JSON commits, then checkpoints
}

std::vector<BackupFile> restore_order(std::vector<BackupFile> files) {
  std::stable_sort(files.begin(), files.end(), [](const BackupFile& a, const BackupFile& b) {
    int64_t va = 0, vb = 0;
    const int ra = write_rank(a.path, &va), rb = write_rank(b.path, &vb);
    if (ra != rb) return ra < rb;
    return va > vb;  // newest first: commit 0 is the last commit written
  });
  return files;
}

// The bytes of backup file `f`, checked against the manifest. Throws naming the file.
std::string checked(ObjectStore& from, const BackupFile& f) {
  auto bytes = from.get(f.path);
  if (!bytes) {
    throw DeltaError("backup file " + where(from, f.path) +
                     " is missing; the backup is incomplete, nothing was restored");
  }
  const std::string sum = sigv4::sha256_hex(*bytes);
  if (int64_t(bytes->size()) != f.size || sum != f.sha256) {
    throw DeltaError("backup file " + where(from, f.path) +
                     " is corrupt: " + std::to_string(bytes->size()) + " bytes with sha256 " + sum +
                     ", the manifest says " + std::to_string(f.size) + " bytes with sha256 " +
                     f.sha256 + "; nothing was restored. Restore from another backup");
  }
  return std::move(*bytes);
}

}  // namespace

BackupManifest backup_table(ObjectStore& from, const std::string& table,
                            std::optional<int64_t> version, ObjectStore& to) {
  DeltaLog log(from, table);
  const TableState latest = log.load();
  if (latest.version < 0)
    throw DeltaError("no Delta table at " + where(from, table) + " (no _delta_log/)");
  if (version && (*version < 0 || *version > latest.version)) {
    throw DeltaError("table " + where(from, table) + " has versions 0 to " +
                     std::to_string(latest.version) + ", not " + std::to_string(*version));
  }
  if (!to.list("").empty()) {
    throw DeltaError("backup destination " + to.url() +
                     " is not empty; back up into a new directory or prefix");
  }
  const TableState state = version ? log.load(*version) : latest;
  BackupManifest m{from.url(), log.root(), state.metadata.id, state.version, now_ms(), {}};
  std::vector<std::string> paths = log_files_at(from, log, state.version);
  for (const auto& [uri, f] : state.files) paths.push_back(path_from_uri(uri));
  for (const auto& path : paths) {
    auto bytes = from.get(log.key(path));
    if (!bytes) {
      throw DeltaError("file " + where(from, log.key(path)) + " of version " +
                       std::to_string(state.version) +
                       " is missing from the table (deleted by hand or by a vacuum with a short "
                       "retention?); back up a newer version with --version");
    }
    to.put(path, *bytes);
    m.files.push_back({path, int64_t(bytes->size()), sigv4::sha256_hex(*bytes)});
  }
  to.put(std::string(kBackupManifest), to_manifest_json(m));  // last: the backup is complete
  return m;
}

BackupManifest restore_table(ObjectStore& from, ObjectStore& to, const std::string& table) {
  const std::string manifest_key(kBackupManifest);
  auto text = from.get(manifest_key);
  if (!text) {
    throw DeltaError("no backup at " + from.url() + " (no " + manifest_key +
                     "): a wrong path, or a backup that was interrupted before it finished");
  }
  const BackupManifest m = parse_manifest(*text, where(from, manifest_key));
  DeltaLog log(to, table);
  if (!to.list(log.key(std::string(kLogDir))).empty()) {
    throw DeltaError("a table already exists at " + where(to, log.root()) +
                     "; restore into a new path (--to) or move the existing table away first");
  }
  // Every file is checked before anything is written.
  for (const auto& f : m.files) checked(from, f);
  std::vector<std::string> written;
  try {
    for (const auto& f : restore_order(m.files)) {
      to.put(log.key(f.path), checked(from, f));
      written.push_back(log.key(f.path));
    }
  } catch (const std::exception& e) {
    // Log files first, so the target is never a table with files missing.
    std::reverse(written.begin(), written.end());
    for (const auto& key : written) {
      try {
        to.remove(key);
      } catch (const std::exception&) {
      }
    }
    throw DeltaError(std::string("restore into ") + where(to, log.root()) + " failed: " + e.what() +
                     "; the files written so far were removed");
  }
  const TableState restored = log.load();
  if (restored.version != m.version || restored.metadata.id != m.table_id) {
    throw DeltaError("restored table " + where(to, log.root()) + " reads as version " +
                     std::to_string(restored.version) + ", not " + std::to_string(m.version) +
                     " as backed up; check the target store");
  }
  return m;
}

}  // namespace sluice::lake::delta
