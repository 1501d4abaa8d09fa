// Counts of what the broker's connections received and answered, per Kafka
// API key, for the broker's metrics. Knows nothing of Prometheus: the metrics
// layer (src/broker/metrics/) reads a snapshot and names it.
//
// Invariant: counters only grow for the life of the process (a restart starts
// them at 0, which Prometheus's rate() reads as a counter reset). Every method
// is lock-free and safe from any connection thread.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::broker {

class RequestStats {
 public:
  // API keys 0..kMaxApiKey have a slot each; any other key shares kUnknownKey's.
  static constexpr int16_t kMaxApiKey = 127;
  static constexpr int16_t kUnknownKey = -1;

  // A request frame of `bytes` (size prefix included) arrived for `api_key`.
  void received(int16_t api_key, size_t bytes);
  // A response of `bytes` (size prefix included) was written.
  void sent(size_t bytes);
  // The request got no proper answer: unknown API, unsupported version,
  // malformed frame, or a handler that failed (the connection is closed).
  void failed(int16_t api_key);

  struct ApiCounts {
    int16_t api_key = 0;  // kUnknownKey for keys outside 0..kMaxApiKey
    uint64_t requests = 0;
    uint64_t errors = 0;
  };
  // Every slot that has seen a request or an error, in key order.
  std::vector<ApiCounts> per_api() const;
  uint64_t bytes_received() const { return bytes_in_.load(std::memory_order_relaxed); }
  uint64_t bytes_sent() const { return bytes_out_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> errors{0};
  };
  static size_t slot_of(int16_t api_key);

  std::array<Slot, kMaxApiKey + 2> slots_;  // the last one is kUnknownKey's
  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<uint64_t> bytes_out_{0};
};

}  // namespace sluice::broker
