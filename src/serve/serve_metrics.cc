#include "serve/serve_metrics.h"

namespace sluice::serve {
namespace {

// A one-symbol one-day query answers in milliseconds: finer than the default 5 ms floor.
std::vector<double> request_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

}  // namespace

ServeMetrics::ServeMetrics(ops::MetricsRegistry& registry)
    : registry_(registry),
      bytes_read_(registry.counter("sluice_serve_bytes_read_total",
                                   "Bytes of data files read from the table's store to answer "
                                   "queries (whole files: pruned files are not read)")) {}

std::string ServeMetrics::route_of(const std::string& path) {
  if (path == "/v1/ticks") return "ticks";
  if (path == "/v1/symbols") return "symbols";
  if (path.rfind("/v1/summary/", 0) == 0) return "summary";
  if (path == "/metrics") return "metrics";
  return "other";
}

void ServeMetrics::record(const std::string& route, int status, double seconds) {
  registry_
      .counter("sluice_serve_requests_total", "Requests answered, by route and HTTP status",
               {{"route", route}, {"status", std::to_string(status)}})
      .inc();
  registry_
      .histogram("sluice_serve_request_seconds",
                 "Time from a request's arrival to its answer being ready, by route",
                 {{"route", route}}, request_buckets())
      .observe(seconds);
}

void ServeMetrics::add_bytes_read(int64_t bytes) {
  bytes_read_.inc(double(bytes));
}

}  // namespace sluice::serve
