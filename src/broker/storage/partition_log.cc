#include "broker/storage/partition_log.h"

#include <algorithm>
#include <cerrno>
#include <fstream>

#include "broker/storage/durable_file.h"
#include "broker/storage/segment_swap.h"
#include "broker/storage/storage_error.h"
#include "broker/storage/sync_stats.h"
#include "common/clock.h"
#include "common/crash_point.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

constexpr const char* kStartOffsetFile = "log-start-offset";
constexpr const char* kCleanerCheckpointFile = "cleaner-checkpoint";

std::optional<int64_t> read_start_offset(const std::filesystem::path& dir) {
  std::ifstream in(dir / kStartOffsetFile);
  int64_t v = 0;
  if (in >> v) return v;
  return std::nullopt;
}

// "00000000000000000042.log" -> 42; anything else is not a segment.
std::optional<int64_t> segment_base(const std::filesystem::path& file) {
  std::string stem = file.stem().string();
  if (file.extension() != ".log" || stem.size() != 20 ||
      !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(stem);
}

}  // namespace

PartitionLog::PartitionLog(std::filesystem::path dir, LogConfig config, FileHandleCache& files)
    : dir_(std::move(dir)), files_(files), config_(config) {}

std::unique_ptr<PartitionLog> PartitionLog::open(const std::filesystem::path& dir, LogConfig config,
                                                 FileHandleCache& files) {
  std::filesystem::create_directories(dir);
  std::unique_ptr<PartitionLog> log(new PartitionLog(dir, config, files));
  log->recover();
  return log;
}

void PartitionLog::recover() {
  recover_segment_swaps(dir_);
  std::vector<int64_t> bases;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (auto base = segment_base(entry.path())) {
      bases.push_back(*base);
    } else if (entry.path().extension() == ".log") {
      log::warn("storage", "ignoring {}: segments are named by 20 digits", entry.path().string());
    }
  }
  std::sort(bases.begin(), bases.end());
  if (bases.empty()) bases.push_back(read_start_offset(dir_).value_or(0));
  int32_t interval = config_.index_interval_bytes;
  int64_t next = bases.front();
  for (size_t i = 0; i < bases.size(); ++i) {
    auto seg = std::make_shared<Segment>(dir_, bases[i], files_);
    if (i + 1 < bases.size()) {
      next = seg->open_sealed(interval);
    } else {
      Segment::Recovery r = seg->recover(interval);
      if (r.truncated > 0) {
        log::warn("storage", "{}: truncated {} byte(s) at offset {} during recovery: {}",
                  (dir_ / (segment_name(bases[i]) + ".log")).string(), r.truncated, r.next_offset,
                  r.reason);
      }
      next = r.next_offset;
    }
    segments_[bases[i]] = std::move(seg);
  }
  end_offset_ = next;
  next_offset_ = next;
  start_offset_ = std::clamp(read_start_offset(dir_).value_or(bases.front()), bases.front(), next);
  // Removals are not synced one by one, so a crash can bring back segments that
  // DeleteRecords or retention had already dropped.
  drop_segments_below(start_offset_);
  // synced_end_ stays below: recovered bytes may still be only in the page cache
  // (a killed process), so the first flush() syncs even if nothing was written.
  last_flush_ms_ = mono_ms();
}

PartitionLog::AppendResult PartitionLog::append(std::span<uint8_t> batch) {
  AppendResult result = write(batch);
  commit(result.end_offset);
  return result;
}

PartitionLog::AppendResult PartitionLog::write(std::span<uint8_t> batch) {
  std::lock_guard lock(append_mu_);
  if (retired_) throw PartitionRetired("cannot append to " + dir_.string() + ": " + failure_);
  try {
    if (!failure_.empty())
      throw StorageError("cannot append to " + dir_.string() + ": " + failure_, EIO);
    AppendResult result = write_locked(batch);
    if (write_failing_) {
      write_failing_ = false;
      log::info("storage", "{}: appends succeed again", dir_.string());
    }
    return result;
  } catch (const StorageError& e) {
    count_storage_error(StorageWrite::kPartitionAppend);
    // Once per episode: a full disk fails every produce request until space returns.
    if (!write_failing_ && failure_.empty()) {
      log::error("storage",
                 "{}: {}; produce requests to this partition are answered KAFKA_STORAGE_ERROR "
                 "(clients retry) and reads continue",
                 dir_.string(), e.what());
    }
    write_failing_ = true;
    throw;
  }
}

PartitionLog::AppendResult PartitionLog::write_locked(std::span<uint8_t> batch) {
  LogConfig cfg = config();
  int64_t base = next_offset_;
  assign_base_offset(batch.data(), base);
  if (cfg.timestamp_type == TimestampType::kLogAppendTime) stamp_log_append_time(batch, now_ms());
  BatchHeader h = *parse_batch_header(batch);
  std::shared_ptr<Segment> active;
  {
    std::shared_lock read_lock(segments_mu_);
    active = segments_.rbegin()->second;
  }
  // Rolled when full (segment.bytes) or old (segment.ms), so retention, which
  // only deletes sealed segments, also reaches a slow topic's data.
  const bool full = int64_t(active->written() + batch.size()) > cfg.segment_bytes;
  // A compacted topic also rolls within max.compaction.lag.ms, so the cleaner,
  // which never touches the active segment, can compact every record in time.
  const int64_t max_age =
      cfg.max_compaction_lag_ms < cfg.segment_ms && has_cleanup_policy(cfg, "compact")
          ? cfg.max_compaction_lag_ms
          : cfg.segment_ms;
  const bool old = mono_ms() - active_since_ms_ >= max_age;
  if (active->written() > 0 && (full || old)) {
    roll();
    std::shared_lock read_lock(segments_mu_);
    active = segments_.rbegin()->second;
  }
  active->append(batch, h, cfg.index_interval_bytes);
  next_offset_ = h.last_offset() + 1;
  // Under `always` the batch waits for the sync that covers it (commit()); an
  // interval policy makes it visible now and durable at the next periodic sync.
  if (cfg.flush.always) {
    always_written_end_ = next_offset_.load();
  } else {
    publish(*active, active->written(), next_offset_);
  }
  return {base, next_offset_};
}

void PartitionLog::publish(Segment& segment, uint64_t bytes, int64_t end_offset) {
  // The end offset first, then the bytes, so any data a reader can see is below
  // the high watermark it reads. Both only grow: syncs and rolls publish in any order.
  int64_t seen = end_offset_.load();
  while (seen < end_offset && !end_offset_.compare_exchange_weak(seen, end_offset)) {
  }
  segment.publish(bytes);
}

void PartitionLog::commit(int64_t end_offset) {
  if (committed(end_offset)) return;
  // Visible already means an interval policy published it at write; it may still
  // hold a batch written under `always` before the policy changed, which waits
  // for the sync that covers it.
  const int64_t target = end_offset_.load() >= end_offset
                             ? std::min(end_offset, always_written_end_.load())
                             : end_offset;
  count_log_commit();
  try {
    sync_to(target);
  } catch (const StorageError&) {
    count_storage_error(StorageWrite::kPartitionAppend);
    throw;
  }
}

bool PartitionLog::committed(int64_t end_offset) const {
  if (end_offset_.load() < end_offset) return false;
  const int64_t target = std::min(end_offset, always_written_end_.load());
  std::lock_guard lock(sync_mu_);
  return synced_end_ >= target;
}

void PartitionLog::start_writeback() {
  if (end_offset_.load() >= next_offset_.load()) return;  // nothing awaits a sync
  std::shared_ptr<Segment> active;
  {
    std::shared_lock read_lock(segments_mu_);
    active = segments_.rbegin()->second;
  }
  active->start_writeback();
}

void PartitionLog::sync_to(int64_t end_offset) {
  std::unique_lock lock(sync_mu_);
  for (;;) {
    if (synced_end_ >= end_offset) return;
    if (!sync_failure_.empty()) {
      std::string what = "cannot commit to " + dir_.string() + ": " + sync_failure_;
      if (sync_retired_) throw PartitionRetired(what);
      throw StorageError(what, EIO);
    }
    if (syncing_) {
      sync_done_.wait(lock);
      continue;
    }
    // No sync in flight: this caller runs the next one, for everyone written so far.
    syncing_ = true;
    lock.unlock();
    SyncOutcome outcome = run_sync();
    lock.lock();
    syncing_ = false;
    if (outcome.failure.empty()) {
      synced_end_ = std::max(synced_end_, outcome.synced_end);
      last_flush_ms_ = mono_ms();
    } else {
      sync_failure_ = outcome.failure;
      sync_retired_ = outcome.retired;
    }
    sync_done_.notify_all();
  }
}

PartitionLog::SyncOutcome PartitionLog::run_sync() noexcept {
  std::shared_ptr<Segment> active;
  uint64_t bytes = 0;
  int64_t end = 0;
  {
    std::lock_guard lock(append_mu_);
    // Offline: the page cache may hold bytes the disk lost, and a second fdatasync
    // could succeed without writing them, so nothing is confirmed any more.
    if (!failure_.empty()) return {-1, failure_, retired_};
    std::shared_lock read_lock(segments_mu_);
    active = segments_.rbegin()->second;
    bytes = active->written();
    end = next_offset_;
  }
  try {
    fdatasync_segment(*active, end);
  } catch (const std::exception& e) {
    std::lock_guard lock(append_mu_);
    fail_sync(e);
    return {-1, failure_, retired_};
  }
  syncs_.fetch_add(1);
  count_log_sync();
  publish(*active, bytes, end);
  return {end, {}, false};
}

void PartitionLog::fdatasync_segment(Segment& segment, int64_t end_offset) {
  std::lock_guard lock(fdatasync_mu_);
  if (!fdatasync_failure_.empty()) throw StorageError(fdatasync_failure_, EIO);
  // A roll synced the whole segment since this sync read its end: the segment may
  // be gone (retention), and there is nothing left to make durable.
  if (fdatasynced_end_ >= end_offset) return;
  try {
    segment.flush();
  } catch (const std::exception& e) {
    fdatasync_failure_ = e.what();
    throw;
  }
  fdatasynced_end_ = end_offset;
}

void PartitionLog::fail_sync(const std::exception& e) {
  if (!failure_.empty()) return;  // already offline (or retired): reported then
  failure_ = std::string(e.what()) + "; restart the broker to recover the partition from disk";
  log::error("storage", "{}", failure_);
}

void PartitionLog::roll() {
  std::shared_ptr<Segment> old;
  {
    std::shared_lock read_lock(segments_mu_);
    old = segments_.rbegin()->second;
  }
  try {
    // A sealed segment is durable before its successor takes writes.
    fdatasync_segment(*old, next_offset_.load());
  } catch (const std::exception& e) {
    fail_sync(e);
    throw;
  }
  // Synced whole: its waiters need no further sync.
  publish(*old, old->written(), next_offset_);
  {
    std::lock_guard lock(sync_mu_);
    synced_end_ = std::max<int64_t>(synced_end_, next_offset_);
  }
  sync_done_.notify_all();
  auto seg = std::make_shared<Segment>(dir_, next_offset_.load(), files_);
  active_since_ms_ = mono_ms();
  std::unique_lock write_lock(segments_mu_);
  segments_[seg->base_offset()] = std::move(seg);
}

std::vector<std::shared_ptr<Segment>> PartitionLog::segments_from(int64_t offset) const {
  std::shared_lock lock(segments_mu_);
  std::vector<std::shared_ptr<Segment>> out;
  auto it = segments_.upper_bound(offset);
  if (it != segments_.begin()) --it;
  for (; it != segments_.end(); ++it) out.push_back(it->second);
  return out;
}

template <typename Fn>
auto PartitionLog::read_segments_from(int64_t offset, Fn&& fn) const {
  for (int attempt = 1;; ++attempt) {
    auto segments = segments_from(offset);
    auto result = fn(segments);
    const bool raced = std::any_of(segments.begin(), segments.end(),
                                   [](const auto& seg) { return seg->removed(); });
    if (!raced || attempt == 3) return result;
    // A swap removes the old files before the new segment takes their place, and
    // holds segment_change_mu_ throughout: waiting for it is waiting for the swap.
    std::lock_guard wait_for_swap(segment_change_mu_);
  }
}

PartitionLog::ReadResult PartitionLog::read(int64_t offset, int32_t max_bytes) const {
  ReadResult r;
  r.log_start_offset = start_offset_;
  r.high_watermark = end_offset_;
  if (offset < r.log_start_offset || offset > r.high_watermark) {
    r.out_of_range = true;
    return r;
  }
  r.data = read_segments_from(offset, [&](const auto& segments) {
    for (const auto& seg : segments) {
      if (seg->next_offset() <= offset) continue;
      Bytes data = seg->read(offset, max_bytes);
      if (!data.empty()) return data;
    }
    return Bytes{};
  });
  // Read the watermark again after the data: the end offset is published before
  // the bytes, so this one covers everything just read.
  r.high_watermark = end_offset_;
  return r;
}

std::optional<std::pair<int64_t, int64_t>> PartitionLog::offset_for_timestamp(int64_t ts) const {
  int64_t start = start_offset_;
  return read_segments_from(start, [&](const auto& segments) {
    for (const auto& seg : segments) {
      if (auto found = seg->find_timestamp(ts, start)) return found;
    }
    return std::optional<std::pair<int64_t, int64_t>>{};
  });
}

std::optional<std::pair<int64_t, int64_t>> PartitionLog::max_timestamp_record() const {
  int64_t start = start_offset_;
  return read_segments_from(start, [&](const auto& segments) {
    std::optional<std::pair<int64_t, int64_t>> best;
    // Segments run in offset order, so only a strictly larger timestamp replaces
    // the best; a segment whose maximum (deleted records included) cannot beat
    // it is not read at all.
    for (const auto& seg : segments) {
      if (best && seg->max_timestamp() <= best->second) continue;
      auto found = seg->find_max_timestamp(start);
      if (found && (!best || found->second > best->second)) best = found;
    }
    return best;
  });
}

std::optional<int64_t> PartitionLog::delete_records_before(int64_t offset) {
  std::lock_guard lock(append_mu_);
  if (offset == -1) offset = end_offset_;
  if (offset < 0 || offset > end_offset_ || !failure_.empty()) return std::nullopt;
  if (offset > start_offset_) raise_start_offset(offset);
  return start_offset_.load();
}

void PartitionLog::drop_segments_below(int64_t offset) {
  // A segment can go when the next segment starts at or below `offset`; the
  // active segment always stays.
  std::lock_guard change_lock(segment_change_mu_);
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    std::unique_lock write_lock(segments_mu_);
    while (segments_.size() > 1 && std::next(segments_.begin())->first <= offset) {
      doomed.push_back(segments_.begin()->second);
      segments_.erase(segments_.begin());
    }
  }
  for (auto& seg : doomed) seg->remove_files();
}

void PartitionLog::raise_start_offset(int64_t offset) {
  // On disk first: once a reader has seen the new start, a crash must not bring
  // back the records below it.
  write_file_atomically(dir_ / kStartOffsetFile, std::to_string(offset) + "\n");
  start_offset_ = offset;
  drop_segments_below(offset);
}

size_t PartitionLog::enforce_retention(int64_t now_ms) {
  std::lock_guard lock(append_mu_);
  if (!failure_.empty()) return 0;
  LogConfig cfg = config();
  // A compact-only topic keeps its latest records however old: the cleaner prunes it.
  if (!has_cleanup_policy(cfg, "delete")) return 0;
  std::vector<std::shared_ptr<Segment>> sealed;
  int64_t total = 0;
  {
    std::shared_lock read_lock(segments_mu_);
    for (const auto& [base, seg] : segments_) total += int64_t(seg->size());
    for (auto it = segments_.begin(); std::next(it) != segments_.end(); ++it)
      sealed.push_back(it->second);
  }
  int64_t new_start = -1;
  for (const auto& seg : sealed) {
    // An empty sealed segment (compaction removed all it held) never holds retention back.
    bool too_old = seg->size() == 0 || (cfg.retention_ms >= 0 && seg->max_timestamp() >= 0 &&
                                        seg->max_timestamp() < now_ms - cfg.retention_ms);
    bool too_big = cfg.retention_bytes >= 0 && total - int64_t(seg->size()) >= cfg.retention_bytes;
    if (!too_old && !too_big) break;
    total -= int64_t(seg->size());
    new_start = seg->next_offset();
  }
  if (new_start < 0) return 0;
  size_t before = segment_count();
  if (new_start > start_offset_) {
    try {
      raise_start_offset(new_start);
    } catch (const StorageError& e) {
      // A full disk is when retention matters most, yet replacing the start-offset file
      // takes space. Whole segments may go without it: recovery starts a log no lower
      // than its first remaining segment. The file catches up at the next raise.
      log::warn("storage", "{}: deleting segments below offset {} for retention anyway: {}",
                dir_.string(), new_start, e.what());
      start_offset_ = new_start;
    }
  }
  drop_segments_below(new_start);
  return before - segment_count();
}

void PartitionLog::flush() {
  sync_to(next_offset_.load());
}

void PartitionLog::retire(const std::string& reason) {
  std::lock_guard lock(append_mu_);
  if (failure_.empty()) failure_ = reason;
  retired_ = true;
  // After any swap in flight: none may touch the folder once it is renamed away.
  std::lock_guard change_lock(segment_change_mu_);
  swaps_stopped_ = true;
  // The directory is renamed away, and a topic re-created under the name will own
  // these paths: files must not reopen by path (or be re-created) from now on.
  std::shared_lock read_lock(segments_mu_);
  for (const auto& [base, seg] : segments_) seg->stop_reopening();
}

std::optional<std::string> PartitionLog::offline() const {
  std::lock_guard lock(append_mu_);
  if (failure_.empty()) return std::nullopt;
  return failure_;
}

void PartitionLog::flush_if_due() {
  LogConfig cfg = config();
  if (cfg.flush.always) return;
  // An offline log has reported its failure already; syncing it again proves nothing.
  if (offline()) return;
  int64_t end = next_offset_.load();
  {
    std::lock_guard lock(sync_mu_);
    if (synced_end_ >= end || mono_ms() - last_flush_ms_ < cfg.flush.interval_ms) return;
  }
  sync_to(end);
}

void PartitionLog::set_config(LogConfig config) {
  std::lock_guard lock(config_mu_);
  config_ = std::move(config);
}

LogConfig PartitionLog::config() const {
  std::lock_guard lock(config_mu_);
  return config_;
}

int64_t PartitionLog::size_bytes() const {
  std::shared_lock lock(segments_mu_);
  int64_t total = 0;
  for (const auto& [base, seg] : segments_) total += int64_t(seg->size());
  return total;
}

std::vector<std::shared_ptr<Segment>> PartitionLog::segments() const {
  return segments_from(INT64_MIN);
}

bool PartitionLog::replace_segments(const std::vector<std::shared_ptr<Segment>>& group,
                                    int64_t end) {
  const int64_t base = group.front()->base_offset();
  std::lock_guard change_lock(segment_change_mu_);
  bool intact = !swaps_stopped_;
  {
    std::shared_lock read_lock(segments_mu_);
    for (const auto& seg : group) {
      auto it = segments_.find(seg->base_offset());
      intact = intact && it != segments_.end() && it->second == seg;
    }
    intact =
        intact && segments_.contains(end) && std::prev(segments_.find(end))->second == group.back();
  }
  if (!intact) {
    std::error_code ignored;
    std::filesystem::remove_all(cleaning_dir(dir_, base), ignored);
    return false;
  }
  const auto swap = commit_swap(dir_, base, end);
  crash_point("cleaner.swap.committed");
  for (const auto& seg : group) seg->remove_files();
  crash_point("cleaner.swap.old_removed");
  install_swap(swap, dir_);
  auto cleaned = std::make_shared<Segment>(dir_, base, files_);
  cleaned->open_sealed(config().index_interval_bytes);
  std::unique_lock write_lock(segments_mu_);
  for (const auto& seg : group) segments_.erase(seg->base_offset());
  segments_[base] = std::move(cleaned);
  return true;
}

int64_t PartitionLog::cleaned_end() const {
  std::ifstream in(dir_ / kCleanerCheckpointFile);
  int64_t v = 0;
  return in >> v ? v : 0;
}

void PartitionLog::set_cleaned_end(int64_t offset) {
  std::lock_guard change_lock(segment_change_mu_);
  if (swaps_stopped_) return;
  write_file_atomically(dir_ / kCleanerCheckpointFile, std::to_string(offset) + "\n");
}

size_t PartitionLog::segment_count() const {
  std::shared_lock lock(segments_mu_);
  return segments_.size();
}

}  // namespace sluice::broker
