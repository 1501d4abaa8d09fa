#include "pipeline/runtime/flow_control.h"

namespace sluice::pipeline {

std::optional<FlowControl::Change> FlowControl::update(Load load, bool operator_paused,
                                                       bool breaker_open, int64_t now_ms) {
  const bool full = load.held_records >= queue_.max_buffered_records ||
                    load.buffered_bytes >= queue_.max_buffered_bytes;
  const bool drained = load.held_records <= queue_.max_buffered_records / 2 &&
                       load.buffered_bytes <= queue_.max_buffered_bytes / 2;
  if (full && full_since_ms_ == 0) full_since_ms_ = now_ms;
  if (drained) full_since_ms_ = 0;
  const bool held_too_long = full_since_ms_ != 0 && now_ms - full_since_ms_ >= kHardPauseAfterMs;
  const bool want_paused = operator_paused || breaker_open || held_too_long;
  if (want_paused == paused_) return std::nullopt;
  paused_ = want_paused;
  const Reason why = operator_paused ? Reason::kOperator
                     : breaker_open  ? Reason::kBreakerOpen
                     : held_too_long ? Reason::kQueueFull
                                     : Reason::kDrained;
  return Change{want_paused, why};
}

const char* FlowControl::reason_name(Reason reason) {
  switch (reason) {
    case Reason::kOperator:
      return "operator";
    case Reason::kBreakerOpen:
      return "circuit breaker open";
    case Reason::kQueueFull:
      return "queue full";
    case Reason::kDrained:
      return "drained";
  }
  return "drained";
}

}  // namespace sluice::pipeline
