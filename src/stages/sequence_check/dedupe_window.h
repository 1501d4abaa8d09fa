// The message ids one input partition has seen in the last `window_ms` of
// tick time, in bounded memory: a duplicate (the same message_id again) is
// recognised while its first copy is in the window.
//
// How it is bounded: an id is kept as a 64-bit FNV-1a hash (16 bytes in a
// FIFO plus 16 to 32 in a flat hash set), at most `max_entries` per partition. Entries
// leave in arrival order when they are older than the newest tick time minus
// the window, or — when the cap is reached — the oldest leaves early (counted
// in evicted()): a duplicate of an id evicted early is not recognised. Time is
// the ticks' own (never the wall clock), so a replay rebuilds the same window.
// Two different ids colliding on 64 bits (about 1 in 10^9 at a million
// entries) would drop the second as a duplicate.
//
// Entries are numbered in arrival order from 0 (the partition's first id ever),
// so a checkpoint can store the window in sealed blocks of consecutive numbers
// (sequence_state.h): entries() holds numbers first_index() to appended() - 1.
//
// Invariant: ids_ holds exactly the hashes in order_, and order_.size() <= max_entries.
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>

#include "common/u64_set.h"

namespace sluice::stages {

uint64_t message_id_hash(std::string_view id);

class DedupeWindow {
 public:
  struct Entry {
    int64_t time_ms;
    uint64_t hash;
    bool operator==(const Entry&) const = default;
  };

  DedupeWindow(int64_t window_ms, size_t max_entries)
      : window_ms_(window_ms), max_entries_(max_entries) {}

  // True when `hash` is in the window (a duplicate: nothing changes); else
  // remembers it at `time_ms` and returns false.
  bool seen_before(uint64_t hash, int64_t time_ms);

  const std::deque<Entry>& entries() const { return order_; }
  uint64_t appended() const { return appended_; }  // entries ever remembered
  uint64_t first_index() const { return appended_ - order_.size(); }
  int64_t newest_ms() const { return newest_ms_; }
  uint64_t evicted() const { return evicted_; }  // left early because of the cap (not checkpointed)
  // Rebuilds from a checkpoint's entries (oldest first), newest time and the
  // number of entries ever remembered (the last entry's number + 1).
  void restore(std::deque<Entry> entries, int64_t newest_ms, uint64_t appended);

 private:
  void expire();

  int64_t window_ms_;
  size_t max_entries_;
  int64_t newest_ms_ = INT64_MIN;
  std::deque<Entry> order_;
  uint64_t appended_ = 0;
  U64Set ids_;
  uint64_t evicted_ = 0;
};

}  // namespace sluice::stages
