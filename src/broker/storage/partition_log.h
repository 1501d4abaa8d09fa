// One partition's log: an ordered run of segments, the last one active.
//
// Invariant: offsets increase from log_start_offset() to log_end_offset() - 1,
// contiguous apart from offsets inside batches below the start and those that
// compaction removed (log_cleaner.h); a compacted offset is never reused;
// log_end_offset() is the high watermark, and readers see nothing at or above
// it. Writes are serialized under the append lock; reads run concurrently and
// hold their segments alive through shared_ptr, so retention can delete a
// segment under a reader without harm.
//
// Group commit. write() only writes a batch; commit() makes it visible. With
// flush policy `always`, a batch becomes visible (the watermark passes it) only
// once an fdatasync that started after it was written has succeeded, and
// commit() returns only then, so an acknowledged batch is durable. One sync
// serves every batch written before it started: writers that commit while a
// sync is in flight wait for it, and the first of them to find no sync running
// starts the next one, covering everything written so far (a sequencer:
// batches have end offsets, a sync covers the written end it read when it
// started, and waiters return when the synced end passes theirs). The
// fdatasync runs outside the append lock, so writes continue meanwhile; the
// same holds for the periodic sync of an interval policy, whose writes are
// visible at once.
//
// A log stops writing for good after a failed fdatasync (the page cache no
// longer matches the disk, and the failed batches hold their offsets; a
// restart recovers): every commit() still waiting then throws StorageError,
// and nothing the failed sync was to cover becomes visible. It also stops once
// retired. Reads keep working in both cases. A failed write (a full disk, say)
// is not such a failure: the partial batch is cut off, nothing becomes visible,
// and the next write simply tries again, so the log recovers when space returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>

#include "broker/storage/log_config.h"
#include "broker/storage/segment.h"
#include "common/clock.h"

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
    int64_t end_offset = -1;  // after the batch's last offset: what commit() takes
  };
  // `batch` is one validated magic-2 batch; its base offset is overwritten with the
  // written end offset. Rolls the segment when full. Visible at once under an
  // interval policy; under `always` only after commit(). Throws StorageError when
  // the write fails, or when offline() for a failed fdatasync; PartitionRetired
  // once retired.
  AppendResult write(std::span<uint8_t> batch);
  // Returns once every batch written below `end_offset` is visible to readers,
  // which under flush policy `always` means fdatasync'ed: at once if it is, else
  // after the sync in flight or one this call runs (see the header comment).
  // Throws StorageError when that fdatasync failed or the log is offline for one;
  // PartitionRetired when the log was retired before the sync.
  void commit(int64_t end_offset);
  // Whether commit(end_offset) would return at once (nothing to wait for).
  bool committed(int64_t end_offset) const;
  // Starts the device writes of what was written, without waiting, so that
  // committing several partitions one after another overlaps their syncs.
  void start_writeback();
  // write() then commit(): the batch is visible (and durable per policy) on return.
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
  // The record with the largest timestamp (the first of equals): {offset,
  // timestamp}; nullopt when the log holds no record. ListOffsets' -3 (KIP-734).
  std::optional<std::pair<int64_t, int64_t>> max_timestamp_record() const;
  // Raises the log start offset (-1: to the end), durably; nullopt if beyond the end
  // or offline().
  std::optional<int64_t> delete_records_before(int64_t offset);
  // Deletes whole non-active segments past retention.ms / retention.bytes.
  size_t enforce_retention(int64_t now_ms);

  // Both sync outside the append lock, through the same sequencer as commit().
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
  int64_t log_end_offset() const { return end_offset_.load(); }  // the high watermark
  // Where the next write goes: log_end_offset() plus what awaits its sync.
  int64_t written_end_offset() const { return next_offset_.load(); }
  // fdatasyncs this log's syncer ran (commits, flushes; not rolls): for tests and
  // metrics, to see how many commits one sync served.
  uint64_t syncs() const { return syncs_.load(); }
  int64_t size_bytes() const;
  size_t segment_count() const;

  // For the log cleaner (log_cleaner.h), which works beside writers and readers.
  const std::filesystem::path& dir() const { return dir_; }
  FileHandleCache& files() const { return files_; }
  // Every segment in offset order; the last is the active one.
  std::vector<std::shared_ptr<Segment>> segments() const;
  // Replaces the consecutive sealed segments `group`, which the segment based at
  // `end` follows, by the cleaned copy written (and synced) in
  // cleaning_dir(dir(), group's base); crash-safe (segment_swap.h). Writers never
  // wait for it; readers at most for the swap itself, and a read that raced it
  // is retried on the new segment. False, with the copy removed, when the group
  // changed meanwhile (retention, DeleteRecords) or the log was retired.
  bool replace_segments(const std::vector<std::shared_ptr<Segment>>& group, int64_t end);
  // Where the cleaner stopped last: offsets below it were compacted (0 when never).
  // Kept in the partition folder's `cleaner-checkpoint`.
  int64_t cleaned_end() const;
  void set_cleaned_end(int64_t offset);

 private:
  PartitionLog(std::filesystem::path dir, LogConfig config, FileHandleCache& files);
  void recover();
  AppendResult write_locked(std::span<uint8_t> batch);
  std::vector<std::shared_ptr<Segment>> segments_from(int64_t offset) const;
  void roll();
  void drop_segments_below(int64_t offset);
  // Reads through a snapshot of the segments from `offset`; when a segment it
  // read was replaced by the cleaner meanwhile, reads again (bounded).
  template <typename Fn>
  auto read_segments_from(int64_t offset, Fn&& fn) const;
  void raise_start_offset(int64_t offset);
  // Runs or waits for syncs until the synced end reaches `end_offset`.
  void sync_to(int64_t end_offset);
  struct SyncOutcome {
    int64_t synced_end = -1;  // offsets below it are durable (on success)
    std::string failure;      // why not, when it failed or the log is offline
    bool retired = false;     // that reason is a retirement
  };
  // One sync of everything written when it starts; publishes it on success.
  SyncOutcome run_sync() noexcept;
  // Makes everything below `end_offset` (ending at `bytes` in `segment`) visible.
  void publish(Segment& segment, uint64_t bytes, int64_t end_offset);
  // fdatasyncs `segment`, which holds every offset below `end_offset`, unless an
  // earlier fdatasync covered them; throws once any fdatasync of this log failed.
  void fdatasync_segment(Segment& segment, int64_t end_offset);
  // Takes the log offline after a failed fdatasync; append_mu_ held.
  void fail_sync(const std::exception& e);

  std::filesystem::path dir_;
  FileHandleCache& files_;
  mutable std::mutex config_mu_;
  LogConfig config_;
  mutable std::mutex append_mu_;           // serializes appends, rolls and deletions
  mutable std::shared_mutex segments_mu_;  // guards segments_ for readers
  std::map<int64_t, std::shared_ptr<Segment>> segments_;
  std::atomic<int64_t> start_offset_{0};
  std::atomic<int64_t> end_offset_{0};   // high watermark: visible below it
  std::atomic<int64_t> next_offset_{0};  // written end; changed under append_mu_
  std::atomic<uint64_t> syncs_{0};
  std::string failure_;         // why writes stopped for good; guarded by append_mu_
  bool retired_ = false;        // failure_ is a retirement; guarded by append_mu_
  bool write_failing_ = false;  // the last append failed (logged once); guarded by append_mu_
  // When the active segment took over (or the log opened): segment.ms counts
  // from here. mono_ms(); guarded by append_mu_.
  int64_t active_since_ms_ = mono_ms();

  // End of the last batch written under flush policy `always`: commit() waits for
  // its sync even when a policy change has made it visible already.
  std::atomic<int64_t> always_written_end_{-1};

  // Every fdatasync of the log's files, the sequencer's and a roll's, runs under
  // fdatasync_mu_, one at a time. Linux reports a writeback error once per file,
  // so after one failed fdatasync a later one can succeed without the lost pages:
  // the first failure stays, and no later sync counts as durable.
  // Lock order: append_mu_ before fdatasync_mu_; never sync_mu_ inside it.
  std::mutex fdatasync_mu_;
  int64_t fdatasynced_end_ = -1;   // a successful fdatasync covered offsets below it
  std::string fdatasync_failure_;  // the first failed fdatasync

  // Changes to which segments exist other than a roll: retention, DeleteRecords,
  // the cleaner's swaps and retirement. Lock order: append_mu_ before
  // segment_change_mu_ before segments_mu_. The cleaner takes only this one, so
  // writers never wait for a swap.
  mutable std::mutex segment_change_mu_;
  bool swaps_stopped_ = false;  // retired: no swap may touch dir_ again; guarded by it

  // The sync sequencer. Lock order: append_mu_ before sync_mu_.
  mutable std::mutex sync_mu_;
  std::condition_variable sync_done_;
  int64_t synced_end_ = -1;    // offsets below it are durable; guarded by sync_mu_
  bool syncing_ = false;       // a sync is in flight; guarded by sync_mu_
  std::string sync_failure_;   // why syncs stopped for good; guarded by sync_mu_
  bool sync_retired_ = false;  // that reason is a retirement; guarded by sync_mu_
  int64_t last_flush_ms_ = 0;  // guarded by sync_mu_
};

}  // namespace sluice::broker
