// One circuit breaker per download host, so one failing host stops being
// called (fail fast, no connect) while downloads from every other host go on.
// The stage-level breaker "download" (pipeline YAML `breakers:`) still sees
// every failure, because failures carry dependency "download".
//
// Invariant: every get() that returned a permit (allow() true) is answered
// by exactly one record_success()/record_failure() on the same breaker, or a
// half-open breaker would wait for a probe that never reports. Breakers of
// hosts not seen for a while are dropped once the map grows large, so a
// stream of distinct hosts cannot grow memory without bound.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "pipeline/circuit_breaker.h"
#include "stages/download/download_options.h"

namespace sluice::stages {

class HostBreakers {
 public:
  explicit HostBreakers(HostBreakerOptions options, size_t max_hosts = 10000);

  // The breaker for `host`, created on first use; shared so a trimmed entry stays valid.
  std::shared_ptr<pipeline::CircuitBreaker> get(const std::string& host);

 private:
  void trim();  // mutex held

  const HostBreakerOptions options_;
  const size_t max_hosts_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<pipeline::CircuitBreaker>> breakers_;
};

}  // namespace sluice::stages
