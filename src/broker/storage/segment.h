// One segment of a partition log: BASE.log holding record batches back to back
// exactly as produced (offsets assigned), with its offset and time indexes.
//
// Invariant: bytes below size() are whole, checksum-valid batches with
// increasing offsets (contiguous, unless compaction removed whole batches of a
// sealed segment); size() is published only after the write completed, so a
// reader bounded by it never sees a half-written batch, and it only grows (a
// publish below it is ignored). Appends are serialized by the owning
// PartitionLog; reads, flush() and publish() may run concurrently with them
// (the log's syncer publishes what it synced while the next append writes).
//
// The segment holds no descriptor of its own: its files are opened on demand
// through a FileHandleCache, so an idle segment costs none (see
// file_handle_cache.h for why an evicted active segment still syncs correctly).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include "broker/storage/file_handle_cache.h"
#include "broker/storage/log_config.h"
#include "broker/storage/record_batch.h"
#include "broker/storage/segment_index.h"

namespace sluice::broker {

class Segment {
 public:
  // Opens or creates the segment files of `base_offset` in `dir`.
  Segment(const std::filesystem::path& dir, int64_t base_offset,
          FileHandleCache& files = FileHandleCache::process_wide());
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  struct Recovery {
    int64_t next_offset = 0;  // offset after the last valid batch
    uint64_t truncated = 0;   // bytes cut from the tail
    std::string reason;       // why the tail was cut
  };
  // Scans every batch (CRC included), truncates at the first bad or torn one,
  // and rebuilds both indexes. Used for the active segment at start-up.
  Recovery recover(int32_t index_interval_bytes);
  // Loads the indexes and completes them from the log past their last entries
  // (a crash may have cut the unsynced files short); rebuilds them when they are
  // missing or disagree with the log. Checks no CRCs: a sealed segment was
  // synced at the roll. Returns the offset after the last batch.
  int64_t open_sealed(int32_t index_interval_bytes);

  // Writes and indexes a batch but does not make it visible: the owner calls
  // publish() once the batch is durable per its flush policy and the log's end
  // offset covers it, so no reader ever sees data beyond the high watermark.
  // written() is where the next batch goes (read it under the owner's append
  // serialization: it is the mark a sync covers when it starts).
  // A failed write is cut off again (or, if even that fails, before the next
  // append) and throws StorageError; the segment and its indexes are unchanged.
  void append(std::span<const uint8_t> batch, const BatchHeader& header,
              int32_t index_interval_bytes);
  uint64_t written() const { return written_; }
  // Makes the bytes below `upto` (a former written()) visible; never shrinks.
  void publish(uint64_t upto);
  void flush();
  // Hands the written bytes to the device without waiting (CachedFile::start_writeback).
  void start_writeback() { log_file_.start_writeback(); }
  // Removes the segment's files. A read in progress finishes on its descriptor;
  // later reads find nothing.
  void remove_files();
  // remove_files() ran: a read that found nothing may have lost a race with it.
  bool removed() const { return removed_.load(); }
  // The files were renamed away (their topic was deleted): never open them by
  // their paths again. Reads work while the log's descriptor stays open.
  void stop_reopening();

  // Whole batches from the first batch whose last offset is >= `offset`, adding
  // batches while the total stays <= max_bytes but always at least one.
  Bytes read(int64_t offset, int32_t max_bytes) const;
  // First record at or after `timestamp` among offsets >= `from_offset` (records
  // below it were deleted): {offset, timestamp}.
  std::optional<std::pair<int64_t, int64_t>> find_timestamp(int64_t timestamp,
                                                            int64_t from_offset) const;
  // The record with the largest timestamp among offsets >= `from_offset`, the
  // first such record on a tie: {offset, timestamp}; nullopt when none. Reads
  // batch headers, then the records of at most two batches (the one straddling
  // `from_offset`, and the one holding the maximum).
  std::optional<std::pair<int64_t, int64_t>> find_max_timestamp(int64_t from_offset) const;

  // What for_each_batch reads of each batch: all of it, or only its header (the
  // batch span is empty), or only its header unless it is a control batch
  // (transaction markers are a few dozen bytes, and their type is in the body).
  enum class Read { kWhole, kHeaders, kHeadersAndControlBatches };
  // Calls fn(header, batch) for each batch below size(), in offset order, until
  // fn returns false. Throws StorageError when the file is gone or unreadable.
  void for_each_batch(const std::function<bool(const BatchHeader&, ByteSpan)>& fn,
                      Read read = Read::kWhole) const;

  const std::filesystem::path& log_path() const { return log_path_; }
  int64_t base_offset() const { return base_offset_; }
  uint64_t size() const { return size_.load(std::memory_order_acquire); }
  int64_t max_timestamp() const { return max_timestamp_.load(); }
  int64_t next_offset() const { return next_offset_.load(); }

 private:
  // Calls fn(header, position) for each batch from `position`; stops when fn returns
  // false or at the end / a torn batch. Returns the position where it stopped.
  template <typename Fn>
  uint64_t scan(int fd, uint64_t position, uint64_t end, Fn&& fn) const;
  uint64_t position_of(int fd, int64_t offset) const;
  // The log file's descriptor for one operation; throws if the segment was removed.
  CachedFile::Lease open_log() const;
  void index_batch(const BatchHeader& h, uint64_t position, int32_t interval);
  void reset_indexes();
  // Indexes the batches from `position`, which must start at or after
  // `expected_offset` and increase. Returns where the chain ended.
  uint64_t index_from(int fd, uint64_t position, int64_t expected_offset, int32_t interval);
  // True when the loaded indexes, completed from their last entries, reach the end of the log.
  bool complete_loaded_indexes(int fd, int32_t interval);

  std::filesystem::path log_path_;
  int64_t base_offset_;
  mutable CachedFile log_file_;
  std::atomic<uint64_t> size_{0};  // visible to readers
  uint64_t written_ = 0;           // written by append(), visible after publish()
  bool torn_tail_ = false;         // bytes past written_ a failed append left behind
  std::atomic<int64_t> max_timestamp_{-1};
  std::atomic<int64_t> next_offset_;
  std::atomic<bool> removed_{false};
  uint64_t bytes_since_index_ = 0;
  OffsetIndex offset_index_;
  TimeIndex time_index_;
};

// "00000000000000000042" for base offset 42.
std::string segment_name(int64_t base_offset);

}  // namespace sluice::broker
