#include "pipeline/spill/spill_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>
#include <system_error>
#include <vector>

#include "common/crash_point.h"
#include "common/file_sync.h"
#include "pipeline/spill/spill_format.h"

namespace sluice::pipeline::spill {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what, const fs::path& path, int err) {
  throw SpillError(what + " " + path.string() + ": " + std::strerror(err) +
                   " (check the disk and the permissions of degradation.spill_dir)");
}

Bytes read_whole(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open spill segment", path, errno);
  Bytes data;
  uint8_t chunk[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      fail("cannot read spill segment", path, err);
    }
    if (n == 0) break;
    data.insert(data.end(), chunk, chunk + n);
  }
  ::close(fd);
  return data;
}

// Cuts a segment to its valid prefix and fsyncs it: recovery uses only durable bytes.
void truncate_and_sync(const fs::path& path, uint64_t size) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open spill segment", path, errno);
  if (::ftruncate(fd, off_t(size)) != 0 || ::fdatasync(fd) != 0) {
    int err = errno;
    ::close(fd);
    fail("cannot truncate and fsync spill segment", path, err);
  }
  ::close(fd);
}

void pread_exactly(int fd, uint8_t* out, size_t n, uint64_t at, const fs::path& path) {
  while (n > 0) {
    ssize_t got = ::pread(fd, out, n, off_t(at));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) fail("cannot read spill segment", path, got < 0 ? errno : EIO);
    out += got;
    at += uint64_t(got);
    n -= size_t(got);
  }
}

// 0, or the errno of the write that failed.
int write_all(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return n < 0 ? errno : EIO;
    data += n;
    size -= size_t(n);
  }
  return 0;
}

template <typename Sync>
void sync_or_throw(const Sync& sync) {
  try {
    sync();
  } catch (const std::system_error& e) {
    throw SpillError(std::string(e.what()) + " (the spill cannot be made durable)");
  }
}

}  // namespace

SpillLog::SpillLog(fs::path dir, uint64_t max_bytes, uint64_t segment_bytes)
    : dir_(std::move(dir)),
      max_bytes_(max_bytes),
      segment_bytes_(std::max<uint64_t>(segment_bytes, 1)) {
  recover();
}

SpillLog::~SpillLog() {
  close_reader();
  close_writer();
}

// Segments in name (= offset) order; the first bad entry ends the log there.
void SpillLog::recover() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) fail("cannot create spill directory", dir_, ec.value());
  static const std::regex kName("[0-9]{20}\\.spill");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (std::regex_match(entry.path().filename().string(), kName)) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  bool cut = false;
  bool changed = false;
  for (const fs::path& path : files) {
    Bytes data = read_whole(path);
    const SegmentScan scan = cut ? SegmentScan{} : scan_segment(data, end_ - 1);
    if (cut || !scan.error.empty()) {
      recovery_.dropped_bytes += int64_t(data.size() - scan.valid_bytes);
      if (!cut) recovery_.dropped_reason = path.string() + ": " + scan.error;
      cut = true;
    }
    if (scan.entries == 0) {  // nothing valid: a segment created just before a crash, or cut
      fs::remove(path, ec);
      changed = true;
      continue;
    }
    if (scan.valid_bytes < data.size()) changed = true;
    truncate_and_sync(path, scan.valid_bytes);
    segments_.push_back({path, scan.first_offset, scan.last_offset, scan.valid_bytes});
    bytes_ += scan.valid_bytes;
    recovery_.records += scan.entries;
    end_ = scan.last_offset + 1;
  }
  if (changed) sync_or_throw([&] { sync_directory(dir_); });
  recovery_.segments = int(segments_.size());
  start_ = segments_.empty() ? -1 : segments_.front().first;
  durable_end_ = end_;
  read_pos_ = kSegmentMagic.size();
}

bool SpillLog::append(const Record& record) {
  if (end_ >= 0 && record.offset < end_) {
    throw SpillError(
        fmt::format("cannot spill offset {} to {}: the spill already ends at {} "
                    "(records of a partition must come in offset order)",
                    record.offset, dir_.string(), end_));
  }
  encoded_.clear();
  encode_entry(record, encoded_);
  const bool new_segment = segments_.empty() || segments_.back().bytes >= segment_bytes_;
  const uint64_t needed = encoded_.size() + (new_segment ? kSegmentMagic.size() : 0);
  if (bytes_ + needed > max_bytes_) return false;
  if (new_segment) start_segment(record.offset);
  Segment& segment = segments_.back();
  if (writer_ < 0) {
    writer_ = ::open(segment.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (writer_ < 0) fail("cannot open spill segment", segment.path, errno);
  }
  // In two halves with the crash point "spill.append.partial" between them, so
  // a test can leave a torn entry behind (docs/reliability.md "Crash points").
  const size_t half = encoded_.size() / 2;
  int err = write_all(writer_, encoded_.data(), half);
  if (err == 0) {
    crash_point("spill.append.partial");
    err = write_all(writer_, encoded_.data() + half, encoded_.size() - half);
  }
  if (err != 0) {
    // A half-written entry would hide every later one from recovery: cut it.
    if (::ftruncate(writer_, off_t(segment.bytes)) != 0) close_writer();
    fail("cannot write spill segment", segment.path, err);
  }
  if (segment.first < 0) segment.first = record.offset;
  if (start_ < 0) start_ = record.offset;
  segment.last = record.offset;
  segment.bytes += encoded_.size();
  bytes_ += encoded_.size();
  end_ = record.offset + 1;
  unsynced_ = true;
  return true;
}

// The segment before is fsync'ed first: only the newest may ever end torn.
void SpillLog::start_segment(int64_t first_offset) {
  if (writer_ >= 0 && unsynced_) sync_or_throw([&] { sync_file(writer_, segments_.back().path); });
  close_writer();
  const fs::path path = dir_ / fmt::format("{:020d}.spill", first_offset);
  writer_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (writer_ < 0) fail("cannot create spill segment", path, errno);
  const auto* magic = reinterpret_cast<const uint8_t*>(kSegmentMagic.data());
  if (int err = write_all(writer_, magic, kSegmentMagic.size()))
    fail("cannot write spill segment", path, err);
  segments_.push_back({path, -1, -1, kSegmentMagic.size()});
  bytes_ += kSegmentMagic.size();
  dir_changed_ = true;
  unsynced_ = true;
}

void SpillLog::sync() {
  if (unsynced_ && writer_ >= 0) sync_or_throw([&] { sync_file(writer_, segments_.back().path); });
  if (dir_changed_) sync_or_throw([&] { sync_directory(dir_); });
  unsynced_ = false;
  dir_changed_ = false;
  durable_end_ = end_;
}

const Record* SpillLog::peek() {
  while (!peeked_ && read_segment_ < segments_.size()) {
    const Segment& segment = segments_[read_segment_];
    if (read_pos_ >= segment.bytes) {
      if (read_segment_ + 1 == segments_.size()) break;
      ++read_segment_;
      read_pos_ = kSegmentMagic.size();
      continue;
    }
    read_frame(segment);
    if (peeked_->offset < start_) advance();  // discarded, still in its segment
  }
  return peeked_ ? &*peeked_ : nullptr;
}

void SpillLog::read_frame(const Segment& segment) {
  if (reader_ < 0 || reader_path_ != segment.path) {
    close_reader();
    reader_ = ::open(segment.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (reader_ < 0) fail("cannot open spill segment", segment.path, errno);
    reader_path_ = segment.path;
  }
  frame_.resize(kFrameHeaderBytes);
  pread_exactly(reader_, frame_.data(), kFrameHeaderBytes, read_pos_, segment.path);
  const uint32_t length = load_be32(frame_.data() + 4);
  if (length > segment.bytes - read_pos_ - kFrameHeaderBytes)
    throw SpillError(
        fmt::format("spill segment {} changed on disk: an entry at byte {} runs past "
                    "its end (was the file edited or truncated?)",
                    segment.path.string(), read_pos_));
  frame_.resize(kFrameHeaderBytes + length);
  pread_exactly(reader_, frame_.data() + kFrameHeaderBytes, length, read_pos_ + kFrameHeaderBytes,
                segment.path);
  try {
    DecodedEntry entry = decode_entry(frame_);
    peeked_ = std::move(entry.record);
    peeked_bytes_ = entry.frame_bytes;
  } catch (const DecodeError& e) {
    throw SpillError(
        fmt::format("spill segment {} changed on disk: the entry at byte {} is bad "
                    "({})",
                    segment.path.string(), read_pos_, e.what()));
  }
}

void SpillLog::advance() {
  if (!peeked_) return;
  read_pos_ += peeked_bytes_;
  peeked_.reset();
}

int64_t SpillLog::read_position() {
  const Record* next = peek();
  return next ? next->offset : end_;
}

void SpillLog::discard_through(int64_t offset) {
  if (segments_.empty() || offset <= start_) return;
  start_ = offset;
  if (peeked_ && peeked_->offset < offset) advance();
  size_t removed = 0;
  while (removed < segments_.size() && segments_[removed].last < offset) {
    if (removed + 1 == segments_.size()) close_writer();
    remove_segment(segments_[removed]);
    ++removed;
  }
  segments_.erase(segments_.begin(), segments_.begin() + long(removed));
  if (read_segment_ < removed) {
    read_segment_ = 0;
    read_pos_ = kSegmentMagic.size();
    peeked_.reset();
  } else {
    read_segment_ -= removed;
  }
  if (segments_.empty()) start_ = -1;
}

void SpillLog::clear() {
  close_writer();
  for (const Segment& segment : segments_) remove_segment(segment);
  segments_.clear();
  start_ = end_ = durable_end_ = -1;
  read_segment_ = 0;
  read_pos_ = kSegmentMagic.size();
  peeked_.reset();
  unsynced_ = false;
}

void SpillLog::remove_segment(const Segment& segment) {
  if (reader_path_ == segment.path) close_reader();
  std::error_code ec;
  fs::remove(segment.path, ec);
  if (ec) fail("cannot delete drained spill segment", segment.path, ec.value());
  bytes_ -= segment.bytes;
  dir_changed_ = true;
}

void SpillLog::close_writer() {
  if (writer_ >= 0) ::close(writer_);
  writer_ = -1;
}

void SpillLog::close_reader() {
  if (reader_ >= 0) ::close(reader_);
  reader_ = -1;
  reader_path_.clear();
}

}  // namespace sluice::pipeline::spill
