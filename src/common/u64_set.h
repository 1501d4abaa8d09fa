// A set of 64-bit values in one flat array (open addressing, linear probing),
// for hot sets of hashes: a lookup is a few adjacent loads where
// std::unordered_set chases a pointer to a node allocated per value.
//
// Invariants: slots_.size() is a power of two, at least twice size() (so a probe
// always reaches an empty slot); every stored value v != kEmpty sits in the run of
// occupied slots that starts at its home slot (home(v)) — erase() shifts later
// members of a run back to keep it so, instead of leaving tombstones. The value
// equal to kEmpty is kept apart in has_empty_value_.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice {

class U64Set {
 public:
  bool contains(uint64_t v) const {
    if (v == kEmpty) return has_empty_value_;
    if (slots_.empty()) return false;
    for (size_t i = home(v);; i = next(i)) {
      if (slots_[i] == v) return true;
      if (slots_[i] == kEmpty) return false;
    }
  }

  // True when added (it was not there).
  bool insert(uint64_t v) {
    if (v == kEmpty) {
      if (has_empty_value_) return false;
      has_empty_value_ = true;
      return true;
    }
    if (2 * (stored_ + 1) > slots_.size()) grow();
    size_t i = home(v);
    for (; slots_[i] != kEmpty; i = next(i)) {
      if (slots_[i] == v) return false;
    }
    slots_[i] = v;
    ++stored_;
    return true;
  }

  // True when it was there.
  bool erase(uint64_t v) {
    if (v == kEmpty) {
      if (!has_empty_value_) return false;
      has_empty_value_ = false;
      return true;
    }
    if (slots_.empty()) return false;
    size_t hole = home(v);
    while (slots_[hole] != v) {
      if (slots_[hole] == kEmpty) return false;
      hole = next(hole);
    }
    // Backward-shift deletion: move up each later member of the run whose home
    // does not lie (cyclically) between the hole and it, so no lookup stops early.
    for (size_t j = next(hole); slots_[j] != kEmpty; j = next(j)) {
      const size_t h = home(slots_[j]);
      const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
      if (!stays) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = kEmpty;
    --stored_;
    return true;
  }

  size_t size() const { return stored_ + (has_empty_value_ ? 1 : 0); }
  void clear() {
    slots_.clear();
    stored_ = 0;
    has_empty_value_ = false;
  }

 private:
  static constexpr uint64_t kEmpty = 0;

  // The values may be hashes already, but not necessarily good ones in their
  // low bits: mix before masking (the finalizer of MurmurHash3).
  size_t home(uint64_t v) const {
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    return size_t(v) & (slots_.size() - 1);
  }
  size_t next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

  void grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, kEmpty);
    for (const uint64_t v : old) {
      if (v == kEmpty) continue;
      size_t i = home(v);
      while (slots_[i] != kEmpty) i = next(i);
      slots_[i] = v;
    }
  }

  std::vector<uint64_t> slots_;
  size_t stored_ = 0;  // values in slots_ (all but the kEmpty value)
  bool has_empty_value_ = false;
};

}  // namespace sluice
