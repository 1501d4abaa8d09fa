// Parsed data files (bytes and footer: a FileReader) kept between requests of
// `sluice serve`, keyed by the file's path in the table, so a query over files
// read before neither fetches nor re-parses them.
//
// Invariant: a cached reader always holds the file's current content, because
// a committed data file never changes (Delta writes new files and removes old
// ones, it never rewrites one) and the key is the table path. The files held
// total at most max_bytes (their sizes); the least recently used leave first;
// a file larger than the whole budget is not kept, and max_bytes 0 keeps none.
//
// Concurrency: thread-safe; a lookup or insert holds a short lock for list and
// map operations only. Files are fetched and parsed outside it, so two requests
// may both read a file new to the cache (harmless: the second insert is dropped).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "lake/parquet/file_reader.h"

namespace sluice::serve {

inline constexpr int64_t kDefaultFileCacheBytes = int64_t(256) << 20;

class FileCache {
 public:
  explicit FileCache(int64_t max_bytes = kDefaultFileCacheBytes);

  // The reader of `path`, marked most recently used; nullptr when not held.
  std::shared_ptr<const lake::parquet::FileReader> find(const std::string& path);
  // Keeps `reader` (of a file of `bytes` bytes) under `path`, evicting the least
  // recently used files until the total fits.
  void insert(const std::string& path, std::shared_ptr<const lake::parquet::FileReader> reader,
              int64_t bytes);
  int64_t bytes() const;
  size_t files() const;

 private:
  struct Entry {
    std::string path;
    std::shared_ptr<const lake::parquet::FileReader> reader;
    int64_t bytes;
  };
  const int64_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> by_path_;
  int64_t bytes_ = 0;
};

}  // namespace sluice::serve
