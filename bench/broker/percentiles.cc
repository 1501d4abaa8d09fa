// Nearest-rank percentiles via nth_element: O(n), no full sort needed.
#include "percentiles.h"

#include <algorithm>

namespace sluice::bench {
namespace {

double rank_ms(std::vector<int64_t>& v, double q) {
  size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1e6;
}

}  // namespace

LatencySummary summarize(std::vector<int64_t>& samples_ns) {
  LatencySummary s;
  s.count = static_cast<int64_t>(samples_ns.size());
  if (samples_ns.empty()) return s;
  s.p50_ms = rank_ms(samples_ns, 0.50);
  s.p99_ms = rank_ms(samples_ns, 0.99);
  s.p999_ms = rank_ms(samples_ns, 0.999);
  s.max_ms = static_cast<double>(*std::max_element(samples_ns.begin(), samples_ns.end())) / 1e6;
  return s;
}

}  // namespace sluice::bench
