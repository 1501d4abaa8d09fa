// The two sparse indexes of a segment, kept in memory and mirrored to files:
//   OffsetIndex: (offset relative to the segment base, file position), one entry
//                per index.interval.bytes of log, for seeking to an offset;
//   TimeIndex:   (largest timestamp so far, relative offset), appended when the
//                largest timestamp grows, for seeking to a time.
//
// Invariant: entries are strictly increasing in both fields, and each points at
// the start of a batch. The files are a cache: after a crash they may be short
// or torn, so start-up checks them against the log and completes or rebuilds
// them; they are never fsync'ed on their own. Being a cache, their writes need
// no fsync, and their descriptors come from a FileHandleCache like the log's.
#pragma once

#include <fcntl.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "broker/storage/file_handle_cache.h"
#include "common/bytes.h"

namespace sluice::broker {

struct OffsetEntry {
  static constexpr size_t kSize = 8;
  uint32_t relative_offset;
  uint32_t position;
  bool precedes(const OffsetEntry& next) const {
    return relative_offset < next.relative_offset && position < next.position;
  }
  void encode(uint8_t* p) const;
  static OffsetEntry decode(const uint8_t* p);
};

struct TimeEntry {
  static constexpr size_t kSize = 12;
  int64_t timestamp;
  uint32_t relative_offset;
  bool precedes(const TimeEntry& next) const {
    return timestamp < next.timestamp && relative_offset < next.relative_offset;
  }
  void encode(uint8_t* p) const;
  static TimeEntry decode(const uint8_t* p);
};

// Entries in memory, mirrored to an append-only file of fixed-size records.
template <typename Entry>
class IndexFile {
 public:
  explicit IndexFile(std::filesystem::path path,
                     FileHandleCache& files = FileHandleCache::process_wide())
      : path_(std::move(path)), file_(files, path_, O_WRONLY | O_CREAT | O_APPEND) {}
  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  // Loads the file; false (nothing loaded) if it is missing, torn, not strictly
  // increasing, or has an entry `sane` rejects. An empty file is a valid empty index.
  bool load(const std::function<bool(const Entry&)>& sane);
  // Appends when the entry follows the last one; ignored otherwise, so replaying
  // batches that are already indexed is harmless.
  void append(const Entry& e);
  void reset();   // drops every entry, in memory and in the file, before a rebuild
  void remove();  // deletes the file
  void stop_reopening() { file_.stop_reopening(); }  // see CachedFile
  std::optional<Entry> back() const;

 protected:
  // The last entry for which `below(entry)` holds, if any.
  template <typename Below>
  std::optional<Entry> last_where(Below below) const {
    std::lock_guard lock(mu_);
    auto it = std::partition_point(entries_.begin(), entries_.end(), below);
    if (it == entries_.begin()) return std::nullopt;
    return *std::prev(it);
  }

 private:
  void write_out(const Bytes& b);
  std::filesystem::path path_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  CachedFile file_;  // written in append mode, so a reset (truncation) needs no seek
};

class OffsetIndex : public IndexFile<OffsetEntry> {
 public:
  using IndexFile::IndexFile;
  // The last entry with relative offset <= `relative_offset`, if any.
  std::optional<OffsetEntry> floor(uint32_t relative_offset) const;
  // Its position, or 0 (the segment start) if there is none.
  uint32_t lookup(uint32_t relative_offset) const;
};

class TimeIndex : public IndexFile<TimeEntry> {
 public:
  using IndexFile::IndexFile;
  // Relative offset of the last entry older than `timestamp`: every batch before
  // it is older too. 0 if none.
  uint32_t lookup_before(int64_t timestamp) const;
  int64_t last_timestamp() const;
};

extern template class IndexFile<OffsetEntry>;
extern template class IndexFile<TimeEntry>;

}  // namespace sluice::broker
