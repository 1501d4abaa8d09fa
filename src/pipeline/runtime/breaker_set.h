// A stage's circuit breakers: the configured ones, charged with the failures of
// the dependency they guard, and "lag", which is only ever forced open by the
// degradation controller at CIRCUIT_BREAK and closed by an operator.
//
// Invariant: an attempt runs only if no breaker is open and every breaker
// granted it a permit; each breaker that granted one hears exactly once how the
// attempt went (charge()), so a half-open breaker's probe is always answered.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/circuit_breaker.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/record.h"

namespace sluice::pipeline {

class BreakerSet {
 public:
  explicit BreakerSet(const StageConfig& stage);

  // True when the attempt may run; `permits` then lists the breakers to charge.
  bool allow(std::vector<CircuitBreaker*>& permits);
  bool any_open();
  // Reports the attempt's outcome to every breaker in `permits`, then clears it.
  // Only transient failures and timeouts count against a breaker, and only
  // against the dependency the outcome names (every breaker when it names none).
  static void charge(std::vector<CircuitBreaker*>& permits, const Outcome& outcome);

  // nullptr when the stage has no breaker of that name.
  CircuitBreaker* find(const std::string& name);
  CircuitBreaker* lag() { return lag_.get(); }  // nullptr without a CIRCUIT_BREAK rule
  std::vector<CircuitBreaker*> all();

 private:
  std::map<std::string, std::unique_ptr<CircuitBreaker>> configured_;
  std::unique_ptr<CircuitBreaker> lag_;
};

}  // namespace sluice::pipeline
