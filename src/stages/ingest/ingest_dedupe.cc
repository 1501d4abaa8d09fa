#include "stages/ingest/ingest_dedupe.h"

namespace sluice::stages {
namespace {

// FNV-1a, 64 bits, from a chosen offset basis (two bases give two independent hashes).
struct Fnv {
  uint64_t h;
  void add(std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001B3ULL;
    }
    // A length suffix keeps ("ab","c") and ("a","bc") apart.
    uint64_t n = s.size();
    for (int i = 0; i < 8; ++i, n >>= 8) {
      h ^= n & 0xFF;
      h *= 0x100000001B3ULL;
    }
  }
};

uint64_t mix(uint64_t x) {  // splitmix64's finaliser: spreads FNV's weak high bits
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace

RecentFanouts::Key RecentFanouts::key_of(std::string_view claim_id,
                                         const std::vector<std::string>& urls) {
  Fnv a{0xCBF29CE484222325ULL}, b{0x84222325CBF29CE4ULL};
  for (Fnv* f : {&a, &b}) {
    f->add(claim_id);
    for (const auto& url : urls) f->add(url);
  }
  return {mix(a.h), mix(b.h ^ 0x5851F42D4C957F2DULL)};
}

uint64_t RecentFanouts::origin_of(std::string_view topic, int32_t partition, int64_t offset) {
  Fnv f{0xCBF29CE484222325ULL};
  f.add(topic);
  f.add(std::to_string(partition) + ":" + std::to_string(offset));
  return mix(f.h);
}

bool RecentFanouts::seen_elsewhere(const Key& key, uint64_t origin) {
  if (capacity_ == 0) return false;
  std::lock_guard lock(mu_);
  auto [it, inserted] = origins_.try_emplace(key, origin);
  if (!inserted) return it->second != origin;
  order_.push_back(key);
  while (order_.size() > capacity_) {
    origins_.erase(order_.front());
    order_.pop_front();
  }
  return false;
}

size_t RecentFanouts::size() const {
  std::lock_guard lock(mu_);
  return origins_.size();
}

}  // namespace sluice::stages
