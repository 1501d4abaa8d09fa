// Message values for the benchmark: "random-ish" bytes, so nothing downstream
// (page cache, a future compressing broker) sees a trivially repetitive stream,
// yet cheap enough that generating them never shows up in the producer's profile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::bench {

class PayloadPool {
 public:
  explicit PayloadPool(size_t value_bytes);

  size_t value_bytes() const { return value_bytes_; }
  // The i-th value: a window into a 4 MiB block of pseudo-random bytes that
  // starts at a different offset for consecutive i.
  const char* value(uint64_t i) const;

 private:
  size_t value_bytes_;
  std::vector<char> pool_;
};

}  // namespace sluice::bench
