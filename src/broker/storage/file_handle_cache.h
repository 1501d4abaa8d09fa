// A bounded pool of open file descriptors for the broker's segment and index
// files, so the number of partitions is not limited by RLIMIT_NOFILE: a
// CachedFile names a file and the cache opens it on demand, closing the least
// recently used idle handle when the pool is full.
//
// Invariants:
//  - At most capacity() descriptors are open, except while more than that many
//    are leased at once (each lease lasts one read, write or sync, so the excess
//    is bounded by the threads doing I/O); the pool shrinks back as leases end.
//  - A leased descriptor is never closed under its holder.
//  - Durability survives eviction: a handle with writes not yet synced is
//    fdatasync'ed before it is closed, and if that fails the error is kept and
//    thrown by the file's next sync(), so an evicted write can never be
//    acknowledged as durable after its writeback failed. (fsync on a descriptor
//    opened later covers pages written through the old one, the page cache
//    being per file, but would not reliably report an error it never saw.)
//  - A file is created at most once, by its first open: a later reopen finds
//    the same file or fails, never making a new empty one.
//  - After stop_reopening() the file is never opened by its path again (the
//    path may soon name another file); a descriptor still open keeps serving
//    leases until evicted. After remove() the descriptor also closes as soon as
//    no lease holds it.
//
// Thread safety: every member may be called from any thread. A CachedFile must
// outlive its leases, and the cache must outlive its CachedFiles.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <mutex>
#include <utility>

namespace sluice::broker {

class CachedFile;

class FileHandleCache {
 public:
  // kAutoCapacity: default_capacity(), read when the first file opens.
  static constexpr size_t kAutoCapacity = 0;
  explicit FileHandleCache(size_t capacity);
  FileHandleCache(const FileHandleCache&) = delete;
  FileHandleCache& operator=(const FileHandleCache&) = delete;

  // The one pool every partition of the process shares: descriptors are a
  // per-process resource, so one bound is the honest model. Its capacity is
  // automatic (read at the first open, after the broker has set its limits)
  // unless set_capacity() says otherwise.
  static FileHandleCache& process_wide();
  // Half of the soft RLIMIT_NOFILE (the rest is left to sockets, the offsets
  // journal and short-lived files), at least 16.
  static size_t default_capacity();

  // Takes effect at the next open; idle handles above it are closed then.
  void set_capacity(size_t capacity);
  size_t capacity();
  size_t open_count() const;                         // descriptors currently open through the cache
  uint64_t opens() const { return opens_; }          // files opened so far
  uint64_t evictions() const { return evictions_; }  // handles closed to make room

 private:
  friend class CachedFile;
  // Returns the open descriptor of `f`, pinned, opening it (and evicting) if needed;
  // -1 if `f` was removed. Throws StorageError when the open fails.
  int pin(CachedFile& f);
  void unpin(CachedFile& f);
  void stop_reopening(CachedFile& f);
  // Closes f's descriptor (after its last lease) for good: f never reopens.
  void close_for_good(CachedFile& f);
  // Closes idle handles, least recently used first, until an open fits. Called
  // with the lock held; releases it while syncing and closing.
  bool evict_one(std::unique_lock<std::mutex>& lock);
  void close_detached(CachedFile& f, int fd, bool was_dirty);
  size_t resolved_capacity();  // with the lock held

  mutable std::mutex mu_;
  std::condition_variable idle_;  // a file stopped being busy (opening or closing)
  size_t capacity_;
  size_t open_ = 0;             // descriptors open or being opened/closed
  std::list<CachedFile*> lru_;  // open files, most recently used at the front
  std::atomic<uint64_t> opens_{0};
  std::atomic<uint64_t> evictions_{0};
};

class CachedFile {
 public:
  // `flags` as for open(2) (O_CLOEXEC is added); files are created with mode 0644.
  CachedFile(FileHandleCache& cache, std::filesystem::path path, int flags);
  ~CachedFile();  // closes the descriptor; unsynced writes stay in the page cache
  CachedFile(const CachedFile&) = delete;
  CachedFile& operator=(const CachedFile&) = delete;

  // A descriptor pinned for one operation. False (fd() == -1) when the file was
  // removed, or is closed and may not reopen.
  class Lease {
   public:
    explicit Lease(CachedFile& f) : file_(&f), fd_(f.cache_.pin(f)) {}
    ~Lease() {
      if (fd_ >= 0) file_->cache_.unpin(*file_);
    }
    Lease(Lease&& other) noexcept : file_(other.file_), fd_(std::exchange(other.fd_, -1)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    int fd() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // Records that bytes were written through this lease and are not yet synced.
    void wrote() { file_->written_.fetch_add(1); }

   private:
    CachedFile* file_;
    int fd_;
  };
  Lease lease() { return Lease(*this); }

  // fdatasync of everything written so far, including through handles evicted
  // since. Throws StorageError naming the file when that, or a sync done at an
  // eviction, failed.
  void sync();
  // Starts writing the file's dirty pages to the device without waiting for
  // them, so that syncing several files one after another overlaps their
  // device writes (the later fdatasyncs find their data already under way).
  // Promises nothing: errors are left to the sync() that must follow.
  void start_writeback();
  // Closes the descriptor for good and deletes the file.
  void remove();
  // Never opens the file by its path again: it was renamed away (a deleted topic).
  void stop_reopening() { cache_.stop_reopening(*this); }

  const std::filesystem::path& path() const { return path_; }

 private:
  friend class FileHandleCache;
  FileHandleCache& cache_;
  std::filesystem::path path_;
  int flags_;
  // Guarded by cache_.mu_:
  int fd_ = -1;
  int pins_ = 0;
  bool busy_ = false;            // being opened or closed outside the lock
  bool no_reopen_ = false;       // never open by path again
  bool close_unpinned_ = false;  // close when the last lease ends
  std::list<CachedFile*>::iterator lru_pos_;
  // Writes made (counted) and covered by a successful sync.
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> synced_{0};
  // errno of a failed sync at an eviction; sticky: every later sync() throws it,
  // as a failed fdatasync on a kept handle leaves the log offline until restart.
  std::atomic<int> eviction_error_{0};
};

}  // namespace sluice::broker
