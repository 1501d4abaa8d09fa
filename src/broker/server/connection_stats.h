// What the event loop counts about connections, for the broker's metrics:
// written by the I/O thread and the worker pools, read at scrape time.
// Lock-free; counters only grow for the life of the process, gauges are current.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace sluice::broker {

class ConnectionStats {
 public:
  // Why a connection was turned away or ended by the broker, not the peer.
  enum class Refusal {
    kMaxConnections,       // max.connections reached: closed right after accept
    kMaxConnectionsPerIp,  // max.connections.per.ip reached for the peer's address
    kFdExhausted,          // accept failed with EMFILE/ENFILE: accepting paused
    kIdle,                 // no bytes for connections.max.idle.ms
    kCount
  };
  static std::string_view reason_name(Refusal r);

  std::atomic<int64_t> open{0};                     // connections open now
  std::atomic<uint64_t> accepted{0};                // connections ever accepted
  std::atomic<int64_t> queued_request_bytes{0};     // request bytes held in memory now
  std::atomic<int64_t> parked_fetches{0};           // Fetches waiting for data, holding no thread
  std::atomic<int64_t> server_threads{0};           // I/O thread and both worker pools
  std::atomic<uint64_t> tls_handshake_failures{0};  // TLS handshakes that failed (logged each)

  void refused(Refusal r) { refusals_[size_t(r)].fetch_add(1, std::memory_order_relaxed); }
  uint64_t refusals(Refusal r) const {
    return refusals_[size_t(r)].load(std::memory_order_relaxed);
  }

 private:
  std::array<std::atomic<uint64_t>, size_t(Refusal::kCount)> refusals_{};
};

inline std::string_view ConnectionStats::reason_name(Refusal r) {
  switch (r) {
    case Refusal::kMaxConnections:
      return "max_connections";
    case Refusal::kMaxConnectionsPerIp:
      return "max_connections_per_ip";
    case Refusal::kFdExhausted:
      return "fd_exhausted";
    case Refusal::kIdle:
      return "idle";
    case Refusal::kCount:
      break;
  }
  return "unknown";
}

}  // namespace sluice::broker
