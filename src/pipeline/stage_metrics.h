// The runbooks' metric names for one stage, created once so the hot path only
// touches pre-resolved series.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "ops/metrics.h"
#include "pipeline/error_category.h"

namespace sluice::pipeline {

class StageMetrics {
 public:
  StageMetrics(ops::MetricsRegistry& registry, std::string stage, std::string group);

  void consumed(std::string_view topic, int64_t records = 1);
  void produced(std::string_view topic);
  void error(const std::string& topic, ErrorCategory category);
  void duration(double seconds) { duration_.observe(seconds); }
  void lag(const std::string& topic, int32_t partition, int64_t messages, double seconds);
  // The state gauge, and the opened counter brought up to times_opened.
  void breaker_state(const std::string& breaker, int state, int64_t times_opened);
  void assigned(int partitions) { assigned_.set(partitions); }
  void degraded(bool on) { degraded_.set(on ? 1 : 0); }
  void connected(bool consumer, bool producer) {
    consumer_connected_.set(consumer ? 1 : 0);
    producer_connected_.set(producer ? 1 : 0);
  }
  void up(bool is_up) { up_.set(is_up ? 1 : 0); }
  void producer_renewed() { producer_renewals_.inc(); }

 private:
  // The cached series for `topic`, created by `make` on first use.
  template <typename Make>
  ops::Counter& cached(std::map<std::string, ops::Counter*, std::less<>>& cache,
                       std::string_view topic, Make make);

  ops::MetricsRegistry& registry_;
  std::string stage_;
  std::string group_;
  std::mutex mu_;  // guards the caches below (series are created on first use)
  // std::less<>: looked up by string_view, without building a string per record.
  std::map<std::string, ops::Counter*, std::less<>> consumed_;
  std::map<std::string, ops::Counter*, std::less<>> produced_;
  ops::Histogram& duration_;
  ops::Gauge& assigned_;
  ops::Gauge& degraded_;
  ops::Gauge& consumer_connected_;
  ops::Gauge& producer_connected_;
  ops::Gauge& up_;
  ops::Counter& producer_renewals_;
};

}  // namespace sluice::pipeline
