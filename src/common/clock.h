// Wall-clock and monotonic time helpers in the units Kafka uses (ms).
#pragma once

#include <chrono>
#include <cstdint>

namespace sluice {

inline int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
inline int64_t mono_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace sluice
