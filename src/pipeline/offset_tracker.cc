#include "pipeline/offset_tracker.h"

#include <algorithm>

namespace sluice::pipeline {

void OffsetTracker::track(int64_t offset) {
  pending_.push_back({offset, false});
}

void OffsetTracker::done(int64_t offset) {
  auto it = std::lower_bound(pending_.begin(), pending_.end(), offset,
                             [](const Entry& e, int64_t o) { return e.offset < o; });
  if (it == pending_.end() || it->offset != offset) return;
  it->done = true;
  while (!pending_.empty() && pending_.front().done) {
    committable_ = pending_.front().offset + 1;
    pending_.pop_front();
  }
}

void OffsetTracker::reset() {
  pending_.clear();
  committable_ = -1;
}

}  // namespace sluice::pipeline
