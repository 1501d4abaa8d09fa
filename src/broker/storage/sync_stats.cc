#include "broker/storage/sync_stats.h"

#include <atomic>

namespace sluice::broker {
namespace {

std::atomic<uint64_t> syncs{0};
std::atomic<uint64_t> commits{0};

}  // namespace

void count_log_sync() {
  syncs.fetch_add(1, std::memory_order_relaxed);
}

void count_log_commit() {
  commits.fetch_add(1, std::memory_order_relaxed);
}

uint64_t log_syncs() {
  return syncs.load(std::memory_order_relaxed);
}

uint64_t log_commits() {
  return commits.load(std::memory_order_relaxed);
}

}  // namespace sluice::broker
