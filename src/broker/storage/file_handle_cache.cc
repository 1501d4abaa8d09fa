#include "broker/storage/file_handle_cache.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "broker/storage/storage_error.h"

namespace sluice::broker {
namespace {

// A file that cannot be opened or synced is a storage failure like any other
// (StorageError, answered KAFKA_STORAGE_ERROR).
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int err) {
  throw_storage_error(what, path, err);
}

void raise_to(std::atomic<uint64_t>& value, uint64_t target) {
  uint64_t seen = value.load();
  while (seen < target && !value.compare_exchange_weak(seen, target)) {
  }
}

bool out_of_descriptors(int err) {
  return err == EMFILE || err == ENFILE;
}

}  // namespace

FileHandleCache::FileHandleCache(size_t capacity) : capacity_(capacity) {}

FileHandleCache& FileHandleCache::process_wide() {
  static FileHandleCache cache(kAutoCapacity);
  return cache;
}

size_t FileHandleCache::default_capacity() {
  constexpr size_t kMinimum = 16;
  constexpr size_t kMaximum = size_t(1) << 20;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return kMaximum;
  return std::clamp<size_t>(size_t(limit.rlim_cur) / 2, kMinimum, kMaximum);
}

void FileHandleCache::set_capacity(size_t capacity) {
  std::lock_guard lock(mu_);
  capacity_ = capacity;
}

size_t FileHandleCache::capacity() {
  std::lock_guard lock(mu_);
  return resolved_capacity();
}

size_t FileHandleCache::resolved_capacity() {
  if (capacity_ == kAutoCapacity) capacity_ = default_capacity();
  return capacity_;
}

size_t FileHandleCache::open_count() const {
  std::lock_guard lock(mu_);
  return open_;
}

int FileHandleCache::pin(CachedFile& f) {
  std::unique_lock lock(mu_);
  for (;;) {
    idle_.wait(lock, [&] { return !f.busy_; });
    if (f.fd_ >= 0) {
      ++f.pins_;
      lru_.splice(lru_.begin(), lru_, f.lru_pos_);
      return f.fd_;
    }
    if (f.no_reopen_) return -1;
    // Evicting releases the lock, so another thread may have opened f meanwhile.
    if (open_ < resolved_capacity() || !evict_one(lock)) break;
  }
  f.busy_ = true;  // other leases of f wait instead of opening it a second time
  ++open_;
  int fd = -1;
  int err = 0;
  for (;;) {
    lock.unlock();
    fd = ::open(f.path_.c_str(), f.flags_ | O_CLOEXEC, 0644);
    err = errno;
    lock.lock();
    // Out of descriptors elsewhere (sockets): give one of ours back and try again.
    if (fd >= 0 || !out_of_descriptors(err) || !evict_one(lock)) break;
  }
  f.busy_ = false;
  idle_.notify_all();
  if (fd < 0) {
    --open_;
    lock.unlock();
    fail("cannot open", f.path_, err);
  }
  f.flags_ &= ~O_CREAT;  // created now if it was missing: a reopen must find this file
  f.fd_ = fd;
  f.pins_ = 1;
  lru_.push_front(&f);
  f.lru_pos_ = lru_.begin();
  opens_.fetch_add(1);
  return fd;
}

void FileHandleCache::unpin(CachedFile& f) {
  std::lock_guard lock(mu_);
  if (--f.pins_ > 0 || !f.close_unpinned_ || f.fd_ < 0) return;
  // Removed while leased: the file is gone, so there is nothing left to sync.
  lru_.erase(f.lru_pos_);
  ::close(f.fd_);
  f.fd_ = -1;
  --open_;
}

bool FileHandleCache::evict_one(std::unique_lock<std::mutex>& lock) {
  auto victim =
      std::find_if(lru_.rbegin(), lru_.rend(), [](const CachedFile* f) { return f->pins_ == 0; });
  if (victim == lru_.rend()) return false;
  CachedFile& f = **victim;
  lru_.erase(std::next(victim).base());
  int fd = f.fd_;
  f.fd_ = -1;
  f.busy_ = true;  // until closed: a lease must not reopen before the sync result is known
  bool dirty = f.written_.load() > f.synced_.load();
  lock.unlock();
  close_detached(f, fd, dirty);
  lock.lock();
  f.busy_ = false;
  --open_;
  evictions_.fetch_add(1);
  idle_.notify_all();
  return true;
}

void FileHandleCache::close_detached(CachedFile& f, int fd, bool dirty) {
  if (dirty) {
    uint64_t written = f.written_.load();
    if (::fdatasync(fd) == 0) {
      raise_to(f.synced_, written);
    } else {
      int expected = 0;
      f.eviction_error_.compare_exchange_strong(expected, errno);
    }
  }
  ::close(fd);
}

void FileHandleCache::stop_reopening(CachedFile& f) {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return !f.busy_; });
  f.no_reopen_ = true;
}

void FileHandleCache::close_for_good(CachedFile& f) {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return !f.busy_; });
  f.no_reopen_ = true;
  if (f.fd_ < 0) return;
  if (f.pins_ > 0) {
    f.close_unpinned_ = true;
    return;
  }
  lru_.erase(f.lru_pos_);
  ::close(f.fd_);
  f.fd_ = -1;
  --open_;
}

CachedFile::CachedFile(FileHandleCache& cache, std::filesystem::path path, int flags)
    : cache_(cache), path_(std::move(path)), flags_(flags) {}

CachedFile::~CachedFile() {
  cache_.close_for_good(*this);
}

void CachedFile::sync() {
  Lease lease(*this);
  if (!lease) fail("cannot fdatasync", path_, ENOENT);
  uint64_t written = written_.load();
  // An eviction finished before this lease was granted, so its result is known here.
  if (int err = eviction_error_.load())
    fail("fdatasync failed (when its handle was closed) for", path_, err);
  if (::fdatasync(lease.fd()) != 0) fail("fdatasync failed for", path_, errno);
  raise_to(synced_, written);
}

void CachedFile::start_writeback() {
  Lease lease(*this);
  if (lease) ::sync_file_range(lease.fd(), 0, 0, SYNC_FILE_RANGE_WRITE);
}

void CachedFile::remove() {
  cache_.close_for_good(*this);
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

}  // namespace sluice::broker
