// The ingest stage's memory of recent fan-outs: which (claim_id, attachment
// URLs) contents it has already turned into download tasks, and from which
// input record.
//
// Invariant: at most `capacity` entries; the oldest is forgotten first (FIFO).
// A content counts as a repeat only when it comes from a *different* input
// record than the one that first fanned it out — the same record seen again
// (an in-process retry, a redelivery after a failed produce, a partition
// re-assigned before its commit) must emit its tasks again, or at-least-once
// would turn into at-most-once. Best-effort: the memory is per process and
// starts empty after a restart. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sluice::stages {

class RecentFanouts {
 public:
  struct Key {
    uint64_t a = 0, b = 0;  // two independent 64-bit hashes of the content
    bool operator==(const Key&) const = default;
  };

  explicit RecentFanouts(size_t capacity) : capacity_(capacity) {}

  static Key key_of(std::string_view claim_id, const std::vector<std::string>& urls);
  // An input record's identity, e.g. of "topic", partition and offset.
  static uint64_t origin_of(std::string_view topic, int32_t partition, int64_t offset);

  // True when `key` was already fanned out by another record (skip it); otherwise
  // remembers it as fanned out by `origin` and returns false. Capacity 0 never skips.
  bool seen_elsewhere(const Key& key, uint64_t origin);

  size_t size() const;

 private:
  struct KeyHash {
    size_t operator()(const Key& k) const { return size_t(k.a ^ (k.b * 0x9E3779B97F4A7C15ULL)); }
  };

  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<Key, uint64_t, KeyHash> origins_;
  std::deque<Key> order_;  // oldest first
};

}  // namespace sluice::stages
