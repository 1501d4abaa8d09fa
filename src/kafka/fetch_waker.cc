#include "kafka/fetch_waker.h"

#include "kafka/handles.h"

namespace sluice::kafka {
namespace {

// Long enough for a leader under load to answer; the answer itself is unused, so
// a timeout only delays the next wake-up.
constexpr int kRequestTimeoutMs = 5000;

}  // namespace

FetchWaker::FetchWaker(rd_kafka_s* rk, int64_t prefetch_bytes)
    : rk_(rk), threshold_bytes_(prefetch_bytes / 2) {}

FetchWaker::~FetchWaker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FetchWaker::found_dry() {
  const bool drained_a_prefetch = taken_since_dry_ >= threshold_bytes_;
  taken_since_dry_ = 0;
  if (!drained_a_prefetch) return;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || pending_) return;
    pending_ = true;
    ++wakeups_;
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  cv_.notify_all();
}

int64_t FetchWaker::wakeups() const {
  std::lock_guard lock(mu_);
  return wakeups_;
}

void FetchWaker::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return pending_ || stopping_; });
    if (stopping_) return;
    lock.unlock();
    rd_kafka_topic_partition_list_t* raw = nullptr;
    if (rd_kafka_assignment(rk_, &raw) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      PartitionList parts(raw);
      if (parts->cnt > 0) {
        for (int i = 0; i < parts->cnt; ++i) parts->elems[i].offset = RD_KAFKA_OFFSET_END;
        // One ListOffsets per leader; what it answers does not matter.
        rd_kafka_offsets_for_times(rk_, parts.get(), kRequestTimeoutMs);
      }
    }
    lock.lock();
    pending_ = false;
  }
}

}  // namespace sluice::kafka
