// A small Prometheus metrics registry (Debian ships no prometheus-cpp).
//
// Invariants: a (name, label set) pair names exactly one series for the
// registry's lifetime, and the reference handed out for it never moves, so hot
// paths resolve a series once and then only touch atomics. A name has one type
// and, for histograms, one bucket layout; render() therefore always produces a
// page `promtool check metrics` accepts (given _total on counter names).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ops/text_format.h"

namespace sluice::ops {

// Monotonic. inc() with a negative or NaN amount throws std::invalid_argument.
class Counter {
 public:
  void inc(double v = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Buckets are upper bounds (inclusive), strictly increasing and finite; the
// +Inf bucket is implicit. A mutex keeps buckets, sum and count consistent
// with each other in every snapshot.
class Histogram {
 public:
  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf
    double sum = 0;
    uint64_t count = 0;
  };

  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; last is +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

// A family whose series are computed at scrape time, for state that comes and
// goes (a consumer group, a partition): a series absent from the latest
// snapshot is absent from the page, instead of lingering with its last value
// as a registered series would.
struct CollectedFamily {
  enum class Type { kGauge, kCounter };
  std::string name;
  std::string help;
  Type type = Type::kGauge;
  std::vector<std::pair<Labels, double>> samples;
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Get-or-create a series; the same (name, labels) returns the same object
  // whatever the label order. Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label
  // names [a-zA-Z_][a-zA-Z0-9_]* (not starting with "__", no duplicates, no
  // "le" on histograms). A name reused with another type, or a histogram name
  // reused with other buckets, throws std::invalid_argument naming it. The
  // help text of the first call wins.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram& histogram(const std::string& name, const std::string& help, const Labels& labels = {},
                       std::vector<double> buckets = default_latency_buckets());

  // Runs before each render so owners can refresh gauges computed on demand
  // (e.g. consumer lag). Callbacks may run concurrently when two scrapes
  // overlap, and may create series.
  void on_collect(std::function<void()> fn);

  // Runs at each render, after the on_collect callbacks; its families are
  // rendered with the registered ones, in name order. Names and labels are
  // validated as for registered series; a family whose name is already
  // registered, or that another source returned in the same render, is
  // skipped with a warning (one type and help per name on the page). A source
  // that throws contributes nothing to that render.
  void add_source(std::function<std::vector<CollectedFamily>()> source);

  // Text exposition 0.0.4: families (registered and collected) sorted by name, each with # HELP and
  // # TYPE, series in creation order; histograms as cumulative _bucket series
  // (ending with le="+Inf"), then _sum and _count.
  std::string render();

  // 5 ms .. 60 s, for processing and request latencies in seconds.
  static std::vector<double> default_latency_buckets();

 private:
  struct State;
  template <typename T>
  T& series(const std::string& name, const std::string& help, const Labels& labels,
            const std::vector<double>& buckets);

  std::unique_ptr<State> state_;
};

}  // namespace sluice::ops
