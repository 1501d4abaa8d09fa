// FileCache: an LRU list and a map into it, bounded by bytes (see file_cache.h).
#include "serve/file_cache.h"

namespace sluice::serve {

FileCache::FileCache(int64_t max_bytes) : max_bytes_(max_bytes < 0 ? 0 : max_bytes) {}

std::shared_ptr<const lake::parquet::FileReader> FileCache::find(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = by_path_.find(path);
  if (it == by_path_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->reader;
}

void FileCache::insert(const std::string& path,
                       std::shared_ptr<const lake::parquet::FileReader> reader, int64_t bytes) {
  if (bytes > max_bytes_) return;
  std::lock_guard lock(mu_);
  if (by_path_.count(path)) return;
  while (!lru_.empty() && bytes_ + bytes > max_bytes_) {
    bytes_ -= lru_.back().bytes;
    by_path_.erase(lru_.back().path);
    lru_.pop_back();
  }
  lru_.push_front({path, std::move(reader), bytes});
  by_path_[path] = lru_.begin();
  bytes_ += bytes;
}

int64_t FileCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

size_t FileCache::files() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace sluice::serve
