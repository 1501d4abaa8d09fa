// The result shape shared by the produce and consume throughput phases. MB is
// 10^6 bytes (as dd reports), counting message values only: record and batch
// headers add roughly 1-2% on disk and are not credited.
#pragma once

#include <cstdint>

namespace sluice::bench {

struct ThroughputResult {
  int64_t messages = 0;  // delivered (produce) or received (consume) successfully
  int64_t bytes = 0;     // value bytes of those messages
  int64_t errors = 0;    // failed deliveries / consume errors
  double seconds = 0;    // first send (or fetch start) to last delivery (or message)
  double msgs_per_s() const { return seconds > 0 ? messages / seconds : 0; }
  double mb_per_s() const { return seconds > 0 ? bytes / seconds / 1e6 : 0; }
};

}  // namespace sluice::bench
