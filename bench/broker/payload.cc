// xorshift64 fills the pool once; values are overlapping windows into it.
#include "payload.h"

namespace sluice::bench {

PayloadPool::PayloadPool(size_t value_bytes)
    : value_bytes_(value_bytes), pool_((4 << 20) + value_bytes) {
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (char& c : pool_) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
}

const char* PayloadPool::value(uint64_t i) const {
  // 4093 is prime, so the start offsets cycle through the whole pool.
  return pool_.data() + (i * 4093) % (pool_.size() - value_bytes_);
}

}  // namespace sluice::bench
