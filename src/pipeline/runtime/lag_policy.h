// Lag: how far a partition is behind, and runbook 003's policies on the stage's
// total — degrade (skip optional work) and, far beyond, halt and page.
//
// Invariants: lag counts every record not yet committable, including records
// the stage holds in memory, and is never negative. The halt trips once per
// excursion over halt_lag_threshold: it re-arms only after lag fell back under
// the threshold, so an operator's `sluice breaker close lag` lets the stage
// catch up instead of halting it again at once.
#pragma once

#include <cstdint>
#include <optional>

#include "pipeline/circuit_breaker.h"
#include "pipeline/pipeline_config.h"

namespace sluice::pipeline {

// What is known about one partition when its lag is measured.
struct LagInputs {
  int64_t committable = -1;         // next offset to commit from finished work (-1: none yet)
  int64_t first_consumed = -1;      // first offset consumed since assignment (-1: none)
  int64_t committed = -1;           // the offset this stage last committed (-1: none)
  std::optional<int64_t> position;  // the consumer's fetch position, when asked for
  // The group's committed offset as the broker has it (-1: none), asked for
  // when the fetch position is not known; without either, the log start.
  std::optional<int64_t> group_committed;
  int64_t low = 0;   // log start
  int64_t high = 0;  // log end
};

// Whether the partition's lag needs the consumer's fetch position: nothing was
// consumed or committed since it was assigned (after a rebalance or a broker
// restart, on an idle topic), so only the position says where the group is.
bool needs_position(const LagInputs& in);

// The partition's lag, or nullopt while it cannot be known yet (measure again later).
std::optional<int64_t> partition_lag(const LagInputs& in);

class LagPolicy {
 public:
  // `halt` is the stage's "lag" breaker (nullptr: no halt_lag_threshold).
  LagPolicy(const StageConfig& stage, CircuitBreaker* halt);

  // Applies both policies to the stage's total lag; logs each change.
  void apply(int64_t total_lag);
  bool degraded() const { return degraded_; }

 private:
  std::string stage_;
  int64_t degrade_threshold_;
  int64_t halt_threshold_;
  CircuitBreaker* halt_;
  bool degraded_ = false;
  bool halt_armed_ = true;
};

}  // namespace sluice::pipeline
