#include "pipeline/runtime/lag_policy.h"

#include <algorithm>
#include <string>

#include "common/log.h"

namespace sluice::pipeline {

bool needs_position(const LagInputs& in) {
  return in.committable < 0 && in.committed < 0 && in.first_consumed < 0;
}

std::optional<int64_t> partition_lag(const LagInputs& in) {
  // From the first record consumed when nothing is committable yet, so records
  // held in the stage still count.
  int64_t next = in.committable >= 0      ? in.committable
                 : in.first_consumed >= 0 ? in.first_consumed
                                          : std::max(in.committed, in.low);
  if (needs_position(in)) {
    // The fetch position: the group's committed offset, or a sink's resume offset.
    // Before the consumer knows it (a partition paused or not fetched yet), the
    // group's committed offset from the broker, else the log start: such a
    // partition still counts, or a stage that stopped fetching would hide its lag.
    if (in.position && *in.position >= 0) {
      next = std::max(*in.position, in.low);
    } else if (!in.group_committed) {
      return std::nullopt;
    } else {
      next = std::max(*in.group_committed, in.low);
    }
  }
  return std::max<int64_t>(in.high - next, 0);
}

LagPolicy::LagPolicy(const StageConfig& stage, CircuitBreaker* halt)
    : stage_(stage.name),
      degrade_threshold_(stage.degrade_lag_threshold),
      halt_threshold_(stage.halt_lag_threshold),
      halt_(halt) {}

void LagPolicy::apply(int64_t total_lag) {
  const bool degrade = degrade_threshold_ > 0 && total_lag > degrade_threshold_;
  if (degrade != degraded_) {
    degraded_ = degrade;
    log::event(degrade ? log::Level::kWarn : log::Level::kInfo, "stage",
               degrade ? "high lag: processing degraded (optional work skipped)"
                       : "lag back to normal: full processing",
               {{"stage", stage_},
                {"lag", std::to_string(total_lag)},
                {"threshold", std::to_string(degrade_threshold_)}});
  }
  if (!halt_) return;
  if (total_lag <= halt_threshold_) {
    halt_armed_ = true;
  } else if (halt_armed_) {
    halt_armed_ = false;
    halt_->force_open();
    log::event(log::Level::kError, "stage",
               "extreme lag: consumption halted; fix the cause, then `sluice breaker close lag`",
               {{"stage", stage_},
                {"lag", std::to_string(total_lag)},
                {"threshold", std::to_string(halt_threshold_)}});
  }
}

}  // namespace sluice::pipeline
