#include "broker/storage/storage_error.h"

#include <atomic>
#include <cerrno>
#include <cstring>

namespace sluice::broker {
namespace {

// Process-wide rather than per partition: a counter must not vanish (and run
// backwards for Prometheus) when the partition that failed is deleted.
std::atomic<uint64_t> g_append_errors{0};
std::atomic<uint64_t> g_commit_errors{0};

std::atomic<uint64_t>& counter(StorageWrite what) {
  return what == StorageWrite::kPartitionAppend ? g_append_errors : g_commit_errors;
}

}  // namespace

std::string storage_advice(int error_number) {
  switch (error_number) {
    case ENOSPC:
    case EDQUOT:
      return "free space on the data dir's filesystem (delete topics, remove other files "
             "there, or grow the volume); writes resume by themselves";
    case EROFS:
      return "the data dir's filesystem is read-only: remount it read-write; writes resume by "
             "themselves";
    default:
      return "check the disk holding the data dir (dmesg, SMART); writes are retried on each "
             "request";
  }
}

void throw_storage_error(const std::string& what, const std::filesystem::path& path,
                         int error_number) {
  throw StorageError(what + " " + path.string() + ": " + std::strerror(error_number) + " (" +
                         storage_advice(error_number) + ")",
                     error_number);
}

void count_storage_error(StorageWrite what) {
  counter(what).fetch_add(1, std::memory_order_relaxed);
}

uint64_t storage_errors(StorageWrite what) {
  return counter(what).load(std::memory_order_relaxed);
}

}  // namespace sluice::broker
