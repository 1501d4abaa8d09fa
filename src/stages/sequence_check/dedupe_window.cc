#include "stages/sequence_check/dedupe_window.h"

#include <algorithm>

namespace sluice::stages {

// FNV-1a, 64 bits: fixed by its definition, so a checkpoint written by one
// build is read the same by the next (std::hash promises no such thing).
uint64_t message_id_hash(std::string_view id) {
  uint64_t h = 14695981039346656037ull;
  for (const char c : id) {
    h ^= uint8_t(c);
    h *= 1099511628211ull;
  }
  return h;
}

bool DedupeWindow::seen_before(uint64_t hash, int64_t time_ms) {
  newest_ms_ = std::max(newest_ms_, time_ms);
  expire();
  if (ids_.contains(hash)) return true;
  if (max_entries_ == 0) return false;
  while (order_.size() >= max_entries_) {
    ids_.erase(order_.front().hash);
    order_.pop_front();
    ++evicted_;
  }
  order_.push_back({time_ms, hash});
  ++appended_;
  ids_.insert(hash);
  return false;
}

void DedupeWindow::expire() {
  if (newest_ms_ == INT64_MIN) return;
  const int64_t horizon = newest_ms_ - window_ms_;
  while (!order_.empty() && order_.front().time_ms < horizon) {
    ids_.erase(order_.front().hash);
    order_.pop_front();
  }
}

void DedupeWindow::restore(std::deque<Entry> entries, int64_t newest_ms, uint64_t appended) {
  order_ = std::move(entries);
  appended_ = std::max<uint64_t>(appended, order_.size());
  while (order_.size() > max_entries_) order_.pop_front();  // a smaller cap than when written
  newest_ms_ = newest_ms;
  ids_.clear();
  for (const Entry& e : order_) ids_.insert(e.hash);
  expire();
}

}  // namespace sluice::stages
