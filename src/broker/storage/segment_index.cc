#include "broker/storage/segment_index.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "common/bytes.h"

namespace sluice::broker {
namespace {

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write_at_end(int fd, const uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return;  // the index is a cache: a failed write only costs a rebuild later
    p += w;
    n -= size_t(w);
  }
}

int open_append(const std::filesystem::path& path, bool truncate) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
}

}  // namespace

OffsetIndex::~OffsetIndex() {
  if (fd_ >= 0) ::close(fd_);
}

bool OffsetIndex::load(uint64_t log_size) {
  Bytes b = read_file(path_);
  if (b.empty() || b.size() % 8 != 0) return false;
  std::vector<Entry> loaded;
  for (size_t i = 0; i < b.size(); i += 8) {
    Entry e{load_be32(&b[i]), load_be32(&b[i + 4])};
    bool increasing = loaded.empty() || (e.relative_offset > loaded.back().relative_offset &&
                                         e.position > loaded.back().position);
    if (!increasing || e.position >= log_size) return false;
    loaded.push_back(e);
  }
  std::lock_guard lock(mu_);
  entries_ = std::move(loaded);
  open_for_append();
  return true;
}

void OffsetIndex::open_for_append() {
  if (fd_ < 0) fd_ = open_append(path_, false);
}

void OffsetIndex::append(uint32_t relative_offset, uint32_t position) {
  std::lock_guard lock(mu_);
  entries_.push_back({relative_offset, position});
  uint8_t buf[8];
  store_be32(buf, relative_offset);
  store_be32(buf + 4, position);
  open_for_append();
  write_at_end(fd_, buf, 8);
}

uint32_t OffsetIndex::lookup(uint32_t relative_offset) const {
  std::lock_guard lock(mu_);
  auto it = std::upper_bound(entries_.begin(), entries_.end(), relative_offset,
                             [](uint32_t off, const Entry& e) { return off < e.relative_offset; });
  return it == entries_.begin() ? 0 : std::prev(it)->position;
}

void OffsetIndex::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

void OffsetIndex::persist() {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = open_append(path_, true);
  Bytes b(entries_.size() * 8);
  for (size_t i = 0; i < entries_.size(); ++i) {
    store_be32(&b[i * 8], entries_[i].relative_offset);
    store_be32(&b[i * 8 + 4], entries_[i].position);
  }
  write_at_end(fd_, b.data(), b.size());
}

void OffsetIndex::remove() {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

TimeIndex::~TimeIndex() {
  if (fd_ >= 0) ::close(fd_);
}

bool TimeIndex::load(uint32_t max_relative_offset) {
  Bytes b = read_file(path_);
  if (b.empty() || b.size() % 12 != 0) return false;
  std::vector<Entry> loaded;
  for (size_t i = 0; i < b.size(); i += 12) {
    Entry e{int64_t(load_be64(&b[i])), load_be32(&b[i + 8])};
    bool increasing = loaded.empty() || (e.timestamp > loaded.back().timestamp &&
                                         e.relative_offset > loaded.back().relative_offset);
    if (!increasing || e.relative_offset > max_relative_offset) return false;
    loaded.push_back(e);
  }
  std::lock_guard lock(mu_);
  entries_ = std::move(loaded);
  open_for_append();
  return true;
}

void TimeIndex::open_for_append() {
  if (fd_ < 0) fd_ = open_append(path_, false);
}

void TimeIndex::append(int64_t timestamp, uint32_t relative_offset) {
  std::lock_guard lock(mu_);
  if (!entries_.empty() && (timestamp <= entries_.back().timestamp || relative_offset <= entries_.back().relative_offset)) {
    return;
  }
  entries_.push_back({timestamp, relative_offset});
  uint8_t buf[12];
  store_be64(buf, uint64_t(timestamp));
  store_be32(buf + 8, relative_offset);
  open_for_append();
  write_at_end(fd_, buf, 12);
}

uint32_t TimeIndex::lookup_before(int64_t timestamp) const {
  std::lock_guard lock(mu_);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp,
                             [](const Entry& e, int64_t ts) { return e.timestamp < ts; });
  return it == entries_.begin() ? 0 : std::prev(it)->relative_offset;
}

int64_t TimeIndex::last_timestamp() const {
  std::lock_guard lock(mu_);
  return entries_.empty() ? -1 : entries_.back().timestamp;
}

void TimeIndex::clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

void TimeIndex::persist() {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = open_append(path_, true);
  Bytes b(entries_.size() * 12);
  for (size_t i = 0; i < entries_.size(); ++i) {
    store_be64(&b[i * 12], uint64_t(entries_[i].timestamp));
    store_be32(&b[i * 12 + 8], entries_[i].relative_offset);
  }
  write_at_end(fd_, b.data(), b.size());
}

void TimeIndex::remove() {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

}  // namespace sluice::broker
