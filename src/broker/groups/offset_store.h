// Committed consumer-group offsets, kept in memory and journaled to one file.
//
// Invariant: every commit acknowledged to a client is in the journal (written
// with write(2), so it survives a kill -9; fdatasync'ed when `sync` is set)
// before commit() returns. On open the journal is replayed and rewritten
// compacted, so its size tracks the live offsets, not the commit history.
// A write the disk refuses throws StorageError and leaves journal and memory as
// they were (a partial line is cut off), so the next commit simply retries.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "broker/storage/line_journal.h"

namespace sluice::broker {

struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_time_ms = 0;
};

struct OffsetKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const OffsetKey&) const = default;
};

class OffsetStore {
 public:
  // Opens (or creates) DIR/consumer_offsets.journal. Throws std::runtime_error on I/O failure.
  OffsetStore(const std::filesystem::path& dir, bool sync);
  ~OffsetStore();
  OffsetStore(const OffsetStore&) = delete;
  OffsetStore& operator=(const OffsetStore&) = delete;

  void commit(const std::vector<std::pair<OffsetKey, CommittedOffset>>& entries);
  std::optional<CommittedOffset> fetch(const OffsetKey& key) const;
  // Every committed partition of a group, in (topic, partition) order.
  std::vector<std::pair<OffsetKey, CommittedOffset>> group_offsets(const std::string& group) const;
  bool has_group(const std::string& group) const;
  std::vector<std::string> groups() const;
  void erase(const OffsetKey& key);
  void erase_group(const std::string& group);

 private:
  void append(const std::string& lines);
  void rewrite_compacted();

  std::filesystem::path path_;
  mutable std::mutex mu_;
  // Guarded by mu_: the journal, and whether its last write failed (logged once).
  LineJournal journal_;
  bool write_failing_ = false;
  std::map<OffsetKey, CommittedOffset> offsets_;
};

}  // namespace sluice::broker
