// Lag: how far a partition is behind. The stage's total drives its
// degradation level (degradation.h).
//
// Invariant: lag counts every record not yet committable, including records
// the stage holds in memory, and is never negative.
#pragma once

#include <cstdint>
#include <optional>

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

}  // namespace sluice::pipeline
