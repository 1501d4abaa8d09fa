// Open-addressing hash dictionary over one byte arena (see dictionary.h).
#include "lake/parquet/dictionary.h"

#include <cstring>
#include <functional>

namespace sluice::lake::parquet {
namespace {
constexpr size_t kInitialSlots = 1024;  // power of two
}  // namespace

Dictionary::Dictionary() : slots_(kInitialSlots, 0) {}

std::string_view Dictionary::entry(uint32_t i) const {
  uint32_t len;
  std::memcpy(&len, arena_.data() + offsets_[i] - 4, 4);
  return std::string_view(arena_).substr(offsets_[i], len);
}

uint32_t Dictionary::insert(std::string_view v, bool& added) {
  const uint64_t h = std::hash<std::string_view>{}(v);
  const size_t mask = slots_.size() - 1;
  for (size_t s = h & mask;; s = (s + 1) & mask) {
    const uint32_t slot = slots_[s];
    if (slot == 0) {
      const uint32_t index = size();
      const uint32_t len = uint32_t(v.size());
      arena_.append(reinterpret_cast<const char*>(&len), 4);
      offsets_.push_back(uint32_t(arena_.size()));
      arena_.append(v);
      hashes_.push_back(h);
      slots_[s] = index + 1;
      added = true;
      if (size_t(size()) * 2 > slots_.size()) grow();  // keep probes short: at most half full
      return index;
    }
    if (hashes_[slot - 1] == h && entry(slot - 1) == v) {
      added = false;
      return slot - 1;
    }
  }
}

void Dictionary::grow() {
  std::vector<uint32_t> slots(slots_.size() * 2, 0);
  const size_t mask = slots.size() - 1;
  for (uint32_t i = 0; i < size(); ++i) {
    size_t s = hashes_[i] & mask;
    while (slots[s] != 0) s = (s + 1) & mask;
    slots[s] = i + 1;
  }
  slots_.swap(slots);
}

void Dictionary::clear() {
  arena_.clear();
  offsets_.clear();
  hashes_.clear();
  slots_.assign(kInitialSlots, 0);
}

}  // namespace sluice::lake::parquet
