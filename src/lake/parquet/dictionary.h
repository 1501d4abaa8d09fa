// The dictionary of one string/binary column chunk: distinct values in first-seen order.
//
// Invariant: plain() is always the PLAIN encoding of the entries in index
// order ([4-byte LE length][bytes] each), i.e. the dictionary page payload, so
// closing a chunk copies nothing; insert() never allocates per value except
// when the arena or the table grows (amortised).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::lake::parquet {

class Dictionary {
 public:
  Dictionary();
  // The index of v, adding it if new (then `added` is set).
  uint32_t insert(std::string_view v, bool& added);
  uint32_t size() const { return uint32_t(offsets_.size()); }
  const std::string& plain() const { return arena_; }
  void clear();

 private:
  std::string_view entry(uint32_t i) const;
  void grow();

  std::string arena_;
  std::vector<uint32_t> offsets_;  // where each entry's bytes start in arena_
  std::vector<uint32_t> slots_;    // open addressing: entry index + 1, 0 = empty
  std::vector<uint64_t> hashes_;   // per entry, so growing needs no rehash of the bytes
};

}  // namespace sluice::lake::parquet
