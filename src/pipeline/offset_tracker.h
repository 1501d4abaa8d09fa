// Which offsets of one partition may be committed.
//
// Invariant: committable() is one past the highest offset such that it and
// every offset tracked before it are done — so a commit never skips a record
// whose outputs (or DLQ copy) are not yet acknowledged, whatever order records
// finish in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace sluice::pipeline {

class OffsetTracker {
 public:
  // Offsets must be tracked in increasing order (the order they are consumed).
  void track(int64_t offset);
  void done(int64_t offset);
  // The offset to commit (next to consume), or -1 when nothing new is committable.
  int64_t committable() const { return committable_; }
  size_t in_flight() const { return pending_.size(); }
  void reset();

 private:
  struct Entry {
    int64_t offset;
    bool done;
  };
  std::deque<Entry> pending_;
  int64_t committable_ = -1;
};

}  // namespace sluice::pipeline
