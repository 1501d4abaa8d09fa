// One partition's log: an ordered run of segments, the last one active.
//
// Invariant: offsets are contiguous from log_start_offset() to
// log_end_offset() - 1 (apart from offsets inside batches below the start);
// every acknowledged append is written (and with flush policy `always`,
// fdatasync'ed) before append() returns. Appends are serialized; reads run
// concurrently and hold their segments alive through shared_ptr, so retention
// can delete a segment under a reader without harm. A log stops writing for
// good after a failed fdatasync (the page cache no longer matches the disk, and
// the failed batch holds its offsets; a restart recovers) or once retired.
// Reads keep working in both cases. A failed write (a full disk, say) is not
// such a failure: the partial batch is cut off, nothing becomes visible, and
// the next append simply tries again, so the log recovers when space returns.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>

#include "broker/storage/log_config.h"
#include "broker/storage/segment.h"

namespace sluice::broker {

class PartitionLog {
 public:
  // Opens or creates `dir` and recovers it (see Segment::recover). Throws
  // std::runtime_error naming the file and the reason on I/O failure.
  // Segment and index files are opened on demand through `files`.
  static std::unique_ptr<PartitionLog> open(
      const std::filesystem::path& dir, LogConfig config,
      FileHandleCache& files = FileHandleCache::process_wide());

  struct AppendResult {
    int64_t base_offset = -1;
  };
  // `batch` is one validated magic-2 batch; its base offset is overwritten with the
  // log end offset. Rolls the segment when full; flushes per policy. Throws
  // StorageError when the write or its fdatasync fails, or when offline() for a
  // failed fdatasync; PartitionRetired once retired.
  AppendResult append(std::span<uint8_t> batch);

  struct ReadResult {
    Bytes data;
    int64_t high_watermark = 0;
    int64_t log_start_offset = 0;
    bool out_of_range = false;
  };
  ReadResult read(int64_t offset, int32_t max_bytes) const;

  // First record with timestamp >= ts: {offset, timestamp}; nullopt when none.
  std::optional<std::pair<int64_t, int64_t>> offset_for_timestamp(int64_t ts) const;
  // Raises the log start offset (-1: to the end), durably; nullopt if beyond the end
  // or offline().
  std::optional<int64_t> delete_records_before(int64_t offset);
  // Deletes whole non-active segments past retention.ms / retention.bytes.
  size_t enforce_retention(int64_t now_ms);

  void flush();         // throws, and takes the log offline, if fdatasync fails
  void flush_if_due();  // interval policy: fdatasync when the interval has passed
  // Stops every write to the directory (appends, DeleteRecords, retention), after
  // any in-flight one: its topic was deleted, and a new topic of the same name may
  // soon own the same path. Its files never reopen by path from then on: readers
  // holding the log keep reading the files still open, and find nothing once
  // the descriptor cache has closed them.
  void retire(const std::string& reason);
  // Why writes are refused (failed fdatasync, retired), or nullopt while healthy.
  std::optional<std::string> offline() const;
  void set_config(LogConfig config);
  LogConfig config() const;

  int64_t log_start_offset() const { return start_offset_.load(); }
  int64_t log_end_offset() const { return end_offset_.load(); }
  int64_t size_bytes() const;
  size_t segment_count() const;

 private:
  PartitionLog(std::filesystem::path dir, LogConfig config, FileHandleCache& files);
  void recover();
  AppendResult append_locked(std::span<uint8_t> batch);
  std::vector<std::shared_ptr<Segment>> segments_from(int64_t offset) const;
  void roll();
  void drop_segments_below(int64_t offset);
  void raise_start_offset(int64_t offset);
  void sync_active();

  std::filesystem::path dir_;
  FileHandleCache& files_;
  mutable std::mutex config_mu_;
  LogConfig config_;
  mutable std::mutex append_mu_;           // serializes appends, rolls and deletions
  mutable std::shared_mutex segments_mu_;  // guards segments_ for readers
  std::map<int64_t, std::shared_ptr<Segment>> segments_;
  std::atomic<int64_t> start_offset_{0};
  std::atomic<int64_t> end_offset_{0};
  bool dirty_ = false;
  int64_t last_flush_ms_ = 0;
  std::string failure_;         // why writes stopped for good; guarded by append_mu_
  bool retired_ = false;        // failure_ is a retirement; guarded by append_mu_
  bool write_failing_ = false;  // the last append failed (logged once); guarded by append_mu_
};

}  // namespace sluice::broker
