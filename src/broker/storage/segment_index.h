// The two sparse indexes of a segment, kept in memory and mirrored to files:
//   OffsetIndex: (offset relative to the segment base, file position), one entry
//                per index.interval.bytes of log, for seeking to an offset;
//   TimeIndex:   (largest timestamp so far, relative offset), appended when the
//                largest timestamp grows, for seeking to a time.
//
// Invariant: entries are strictly increasing in both fields, and each points at
// the start of a batch. The files are a cache: recovery may drop and rebuild them
// from the log, so they are never fsync'ed on their own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <vector>

namespace sluice::broker {

class OffsetIndex {
 public:
  struct Entry {
    uint32_t relative_offset;
    uint32_t position;
  };
  explicit OffsetIndex(std::filesystem::path path) : path_(std::move(path)) {}
  ~OffsetIndex();

  // Loads the file; returns false (and loads nothing) if it is missing or not sane
  // for a log of `log_size` bytes.
  bool load(uint64_t log_size);
  void append(uint32_t relative_offset, uint32_t position);
  // Position of the last entry with relative offset <= `relative_offset` (0 if none).
  uint32_t lookup(uint32_t relative_offset) const;
  void clear();
  // Rewrites the file from memory (after a rebuild or truncation).
  void persist();
  void remove();

 private:
  void open_for_append();
  std::filesystem::path path_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  int fd_ = -1;
};

class TimeIndex {
 public:
  struct Entry {
    int64_t timestamp;
    uint32_t relative_offset;
  };
  explicit TimeIndex(std::filesystem::path path) : path_(std::move(path)) {}
  ~TimeIndex();

  bool load(uint32_t max_relative_offset);
  void append(int64_t timestamp, uint32_t relative_offset);
  // Relative offset of the last entry whose timestamp is below `timestamp`: every
  // batch before it is older than `timestamp`. 0 if none.
  uint32_t lookup_before(int64_t timestamp) const;
  int64_t last_timestamp() const;
  void clear();
  void persist();
  void remove();

 private:
  void open_for_append();
  std::filesystem::path path_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  int fd_ = -1;
};

}  // namespace sluice::broker
