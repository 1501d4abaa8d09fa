// What `sluice serve` exposes at GET /metrics (docs/metrics.md#query-api-metrics):
// requests by route and status, latency by route, and the bytes read from the
// table's store to answer them.
//
// Invariant: every answered request — data, error or the metrics page itself —
// is counted exactly once, under a route from a fixed set (ticks, summary,
// symbols, metrics, other), so a client cannot grow the page with made-up paths.
#pragma once

#include <string>

#include "ops/metrics.h"

namespace sluice::serve {

class ServeMetrics {
 public:
  // `registry` must outlive this object.
  explicit ServeMetrics(ops::MetricsRegistry& registry);

  // The route label of a request path: "ticks", "summary", "symbols", "metrics" or "other".
  static std::string route_of(const std::string& path);
  void record(const std::string& route, int status, double seconds);
  void add_bytes_read(int64_t bytes);
  std::string render() { return registry_.render(); }

 private:
  ops::MetricsRegistry& registry_;
  ops::Counter& bytes_read_;
};

}  // namespace sluice::serve
