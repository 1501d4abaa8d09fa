#include "broker/storage/segment.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>

#include "broker/storage/storage_error.h"
#include "common/crc32c.h"
#include "common/log.h"

namespace sluice::broker {
namespace {

// Every I/O failure of a segment is the disk's: StorageError, answered KAFKA_STORAGE_ERROR.
[[noreturn]] void io_error(const std::string& what, const std::filesystem::path& path) {
  throw_storage_error(what, path, errno);
}

bool pread_full(int fd, uint8_t* buf, size_t n, uint64_t at) {
  while (n > 0) {
    ssize_t got = ::pread(fd, buf, n, off_t(at));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    buf += got;
    n -= size_t(got);
    at += uint64_t(got);
  }
  return true;
}

}  // namespace

std::string segment_name(int64_t base_offset) {
  char name[32];
  std::snprintf(name, sizeof name, "%020lld", static_cast<long long>(base_offset));
  return name;
}

Segment::Segment(const std::filesystem::path& dir, int64_t base_offset, FileHandleCache& files)
    : log_path_(dir / (segment_name(base_offset) + ".log")),
      base_offset_(base_offset),
      log_file_(files, log_path_, O_RDWR | O_CREAT),
      next_offset_(base_offset),
      offset_index_(dir / (segment_name(base_offset) + ".index"), files),
      time_index_(dir / (segment_name(base_offset) + ".timeindex"), files) {
  auto file = open_log();
  off_t end = ::lseek(file.fd(), 0, SEEK_END);
  if (end < 0) io_error("cannot seek in segment", log_path_);
  size_ = uint64_t(end);
  written_ = uint64_t(end);
}

CachedFile::Lease Segment::open_log() const {
  auto file = log_file_.lease();
  if (!file) {
    errno = ENOENT;
    io_error("segment was deleted:", log_path_);
  }
  return file;
}

template <typename Fn>
uint64_t Segment::scan(int fd, uint64_t position, uint64_t end, Fn&& fn) const {
  uint8_t header[kBatchHeaderSize];
  while (position + kBatchHeaderSize <= end) {
    if (!pread_full(fd, header, kBatchHeaderSize, position)) break;
    auto h = parse_batch_header({header, kBatchHeaderSize});
    if (!h || h->batch_length < int32_t(kBatchHeaderSize - kBatchLogOverhead) ||
        position + h->total_size() > end)
      break;
    if (!fn(*h, position)) break;
    position += h->total_size();
  }
  return position;
}

void Segment::index_batch(const BatchHeader& h, uint64_t position, int32_t interval) {
  uint32_t relative = uint32_t(h.base_offset - base_offset_);
  if (position == 0 || bytes_since_index_ >= uint64_t(interval)) {
    offset_index_.append({relative, uint32_t(position)});
    bytes_since_index_ = 0;
  }
  bytes_since_index_ += h.total_size();
  if (h.max_timestamp > max_timestamp_) {
    max_timestamp_ = h.max_timestamp;
    time_index_.append({h.max_timestamp, uint32_t(h.last_offset() - base_offset_)});
  }
  next_offset_ = h.last_offset() + 1;
}

void Segment::reset_indexes() {
  offset_index_.reset();
  time_index_.reset();
  bytes_since_index_ = 0;
  max_timestamp_ = -1;
  next_offset_ = base_offset_;
}

uint64_t Segment::index_from(int fd, uint64_t position, int64_t expected_offset, int32_t interval) {
  return scan(fd, position, size(), [&](const BatchHeader& h, uint64_t pos) {
    // Compaction may have removed whole batches: offsets only have to increase.
    if (h.magic != 2 || h.base_offset < expected_offset) return false;
    index_batch(h, pos, interval);
    expected_offset = h.last_offset() + 1;
    return true;
  });
}

Segment::Recovery Segment::recover(int32_t index_interval_bytes) {
  reset_indexes();
  Recovery r;
  r.next_offset = base_offset_;
  Bytes batch;
  uint64_t end = size_;
  auto file = open_log();
  uint64_t valid = scan(file.fd(), 0, end, [&](const BatchHeader& h, uint64_t pos) {
    if (h.magic != 2) {
      r.reason = "magic " + std::to_string(h.magic) + " is not 2";
      return false;
    }
    if (h.base_offset != next_offset_) {
      r.reason = "offset " + std::to_string(h.base_offset) + " does not follow " +
                 std::to_string(next_offset_ - 1);
      return false;
    }
    batch.resize(h.total_size());
    if (!pread_full(file.fd(), batch.data(), batch.size(), pos) ||
        crc32c(batch.data() + kCrcCoveredFrom, batch.size() - kCrcCoveredFrom) != h.crc) {
      r.reason = "CRC-32C mismatch at offset " + std::to_string(h.base_offset);
      return false;
    }
    index_batch(h, pos, index_interval_bytes);
    return true;
  });
  if (valid < end) {
    if (r.reason.empty()) r.reason = "torn batch at the end (partial write)";
    if (::ftruncate(file.fd(), off_t(valid)) != 0 || ::fsync(file.fd()) != 0)
      io_error("cannot truncate", log_path_);
    r.truncated = end - valid;
    size_ = valid;
    written_ = valid;
  }
  r.next_offset = next_offset_;
  return r;
}

int64_t Segment::open_sealed(int32_t index_interval_bytes) {
  auto file = open_log();
  if (complete_loaded_indexes(file.fd(), index_interval_bytes)) return next_offset_;
  log::info("storage", "rebuilding the indexes of {} (missing, or not matching the log)",
            log_path_.string());
  reset_indexes();
  uint64_t end = index_from(file.fd(), 0, base_offset_, index_interval_bytes);
  if (end < size()) {
    // Torn or out of order: hide the bytes from readers, but keep them for inspection.
    log::warn("storage",
              "{}: {} byte(s) from position {} (after offset {}) do not continue the log; reads "
              "stop there",
              log_path_.string(), size() - end, end, next_offset_ - 1);
    size_ = end;
    written_ = end;
  }
  return next_offset_;
}

bool Segment::complete_loaded_indexes(int fd, int32_t interval) {
  uint64_t log_size = size();
  if (!offset_index_.load([&](const OffsetEntry& e) { return e.position < log_size; }) ||
      !time_index_.load([](const TimeEntry&) { return true; })) {
    return false;
  }
  // Entries are written in batch order, so both indexes cover every batch before
  // the one the last time entry names: only the tail from there needs a scan.
  auto last_time = time_index_.back();
  auto last_entry = offset_index_.back();
  auto from = offset_index_.floor(last_time ? last_time->relative_offset : 0);
  max_timestamp_ = last_time ? last_time->timestamp : -1;
  bytes_since_index_ = 0;
  int64_t expected = base_offset_ + (from ? from->relative_offset : 0);
  bool last_entry_ok = !last_entry;  // the scan passes it, being at or after `from`
  uint64_t end =
      scan(fd, from ? from->position : 0, log_size, [&](const BatchHeader& h, uint64_t pos) {
        if (h.magic != 2 || h.base_offset < expected) return false;
        if (last_entry && pos == last_entry->position) {
          last_entry_ok = h.base_offset == base_offset_ + last_entry->relative_offset;
        }
        index_batch(h, pos, interval);
        expected = h.last_offset() + 1;
        return true;
      });
  // The chain must reach the end of the log, pass the newest offset entry at a batch
  // start, and not end before the offset the newest time entry names.
  return end == log_size && last_entry_ok &&
         (!last_time || base_offset_ + last_time->relative_offset < next_offset_);
}

void Segment::append(std::span<const uint8_t> batch, const BatchHeader& header,
                     int32_t index_interval_bytes) {
  uint64_t pos = written_;
  auto file = open_log();
  // A tail a failed append could not cut off is cut now, before anything follows it.
  if (torn_tail_ && ::ftruncate(file.fd(), off_t(pos)) != 0)
    io_error("cannot cut a partial write off", log_path_);
  torn_tail_ = false;
  size_t done = 0;
  file.wrote();  // before writing: a partial write is unsynced data too
  while (done < batch.size()) {
    ssize_t n = ::pwrite(file.fd(), batch.data() + done, batch.size() - done, off_t(pos + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Cut the partial batch off: readers are bounded by size_ anyway, but garbage
      // left after a later, shorter batch would outlive the next roll.
      int err = n < 0 ? errno : ENOSPC;
      torn_tail_ = ::ftruncate(file.fd(), off_t(pos)) != 0;
      errno = err;
      io_error("cannot append to segment", log_path_);
    }
    done += size_t(n);
  }
  index_batch(header, pos, index_interval_bytes);
  written_ = pos + batch.size();
}

void Segment::publish(uint64_t upto) {
  uint64_t seen = size_.load(std::memory_order_relaxed);
  while (seen < upto && !size_.compare_exchange_weak(seen, upto, std::memory_order_release)) {
  }
}

void Segment::flush() {
  log_file_.sync();
}

void Segment::remove_files() {
  removed_ = true;
  log_file_.remove();
  offset_index_.remove();
  time_index_.remove();
}

void Segment::stop_reopening() {
  log_file_.stop_reopening();
  offset_index_.stop_reopening();
  time_index_.stop_reopening();
}

uint64_t Segment::position_of(int fd, int64_t offset) const {
  uint64_t start = offset_index_.lookup(uint32_t(std::max<int64_t>(offset - base_offset_, 0)));
  uint64_t found = size();
  scan(fd, start, size(), [&](const BatchHeader& h, uint64_t pos) {
    if (h.last_offset() < offset) return true;
    found = pos;
    return false;
  });
  return found;
}

Bytes Segment::read(int64_t offset, int32_t max_bytes) const {
  auto file = log_file_.lease();
  if (!file) return {};  // removed under the reader: its records are below the log start now
  uint64_t end = size();
  uint64_t start = position_of(file.fd(), offset);
  if (start >= end) return {};
  uint64_t stop = start;
  scan(file.fd(), start, end, [&](const BatchHeader& h, uint64_t pos) {
    bool first = pos == start;
    if (!first && pos + h.total_size() - start > uint64_t(max_bytes)) return false;
    stop = pos + h.total_size();
    return true;
  });
  Bytes out(stop - start);
  if (!pread_full(file.fd(), out.data(), out.size(), start)) return {};
  return out;
}

void Segment::for_each_batch(const std::function<bool(const BatchHeader&, ByteSpan)>& fn,
                             Read read) const {
  auto file = open_log();
  Bytes batch;
  scan(file.fd(), 0, size(), [&](const BatchHeader& h, uint64_t pos) {
    if (read == Read::kHeaders || (read == Read::kHeadersAndControlBatches && !h.is_control()))
      return fn(h, {});
    batch.resize(h.total_size());
    if (!pread_full(file.fd(), batch.data(), batch.size(), pos))
      io_error("cannot read a batch of", log_path_);
    return fn(h, batch);
  });
}

std::optional<std::pair<int64_t, int64_t>> Segment::find_timestamp(int64_t timestamp,
                                                                   int64_t from_offset) const {
  if (max_timestamp() < timestamp || next_offset() <= from_offset) return std::nullopt;
  auto file = log_file_.lease();
  if (!file) return std::nullopt;
  int64_t hint = base_offset_ + time_index_.lookup_before(timestamp);
  uint64_t start = position_of(file.fd(), std::max(hint, from_offset));
  std::optional<std::pair<int64_t, int64_t>> found;
  Bytes batch;
  scan(file.fd(), start, size(), [&](const BatchHeader& h, uint64_t pos) {
    if (h.max_timestamp < timestamp || h.last_offset() < from_offset) return true;
    batch.resize(h.total_size());
    if (!pread_full(file.fd(), batch.data(), batch.size(), pos)) return false;
    for_each_record(batch, [&](const RecordView& r) {
      if (r.offset >= from_offset && r.timestamp >= timestamp) found = {{r.offset, r.timestamp}};
      return !found;
    });
    return !found;
  });
  return found;
}

std::optional<std::pair<int64_t, int64_t>> Segment::find_max_timestamp(int64_t from_offset) const {
  if (next_offset() <= from_offset) return std::nullopt;
  auto file = log_file_.lease();
  if (!file) return std::nullopt;
  // {offset, timestamp} of the first record of the batch at `pos` at or past
  // from_offset (those below were deleted) whose timestamp beats `above`, the
  // largest such when `largest`.
  Bytes batch;
  auto best_record = [&](const BatchHeader& h, uint64_t pos, int64_t above, bool largest) {
    std::optional<std::pair<int64_t, int64_t>> found;
    batch.resize(h.total_size());
    if (!pread_full(file.fd(), batch.data(), batch.size(), pos)) return found;
    for_each_record(batch, [&](const RecordView& r) {
      if (r.offset >= from_offset && r.timestamp > above) {
        found = {{r.offset, r.timestamp}};
        above = r.timestamp;
      }
      return largest || !found;
    });
    return found;
  };
  // Headers only: the first batch whose maximum beats every earlier one. A batch
  // straddling from_offset has its maximum taken from its live records instead.
  std::optional<std::pair<int64_t, int64_t>> straddling;
  std::optional<std::pair<BatchHeader, uint64_t>> holder;
  int64_t best_ts = INT64_MIN;
  scan(file.fd(), position_of(file.fd(), from_offset), size(),
       [&](const BatchHeader& h, uint64_t pos) {
         if (h.last_offset() < from_offset) return true;
         if (h.base_offset < from_offset) {
           straddling = best_record(h, pos, INT64_MIN, true);
           if (straddling) best_ts = straddling->second;
         } else if (h.max_timestamp > best_ts) {
           best_ts = h.max_timestamp;
           holder = {{h, pos}};
         }
         return true;
       });
  if (!holder) return straddling;
  // The holder's maximum beats the straddling batch's, so its first record
  // carrying that maximum is the answer.
  auto found = best_record(holder->first, holder->second, holder->first.max_timestamp - 1, false);
  return found ? found : straddling;
}

}  // namespace sluice::broker
