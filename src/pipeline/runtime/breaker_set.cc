#include "pipeline/runtime/breaker_set.h"

namespace sluice::pipeline {

BreakerSet::BreakerSet(const StageConfig& stage) {
  for (const auto& b : stage.breakers) configured_[b.name] = std::make_unique<CircuitBreaker>(b);
  // Breaker "lag" is how CIRCUIT_BREAK stops consumption (degradation.h).
  const DegradationConfig& d = stage.degradation;
  if (d.lag_thresholds[3] > 0 || (d.memory_budget_bytes > 0 && d.memory_percents[3] > 0))
    lag_ = std::make_unique<CircuitBreaker>(BreakerConfig{"lag"});
}

bool BreakerSet::any_open() {
  for (CircuitBreaker* b : all()) {
    if (b->state() == BreakerState::kOpen) return true;
  }
  return false;
}

bool BreakerSet::allow(std::vector<CircuitBreaker*>& permits) {
  if (any_open()) return false;
  for (auto& [name, b] : configured_) {
    if (!b->allow()) return false;
    permits.push_back(b.get());
  }
  return true;
}

void BreakerSet::charge(std::vector<CircuitBreaker*>& permits, const Outcome& outcome) {
  const bool charges = !outcome.ok && (outcome.category == ErrorCategory::kTransient ||
                                       outcome.category == ErrorCategory::kTimeout);
  for (CircuitBreaker* b : permits) {
    bool blamed = charges && (outcome.dependency.empty() || outcome.dependency == b->config().name);
    blamed ? b->record_failure() : b->record_success();
  }
  permits.clear();
}

CircuitBreaker* BreakerSet::find(const std::string& name) {
  if (lag_ && name == "lag") return lag_.get();
  auto it = configured_.find(name);
  return it == configured_.end() ? nullptr : it->second.get();
}

std::vector<CircuitBreaker*> BreakerSet::all() {
  std::vector<CircuitBreaker*> out;
  for (auto& [name, b] : configured_) out.push_back(b.get());
  if (lag_) out.push_back(lag_.get());
  return out;
}

}  // namespace sluice::pipeline
