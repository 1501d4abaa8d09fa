#include "stages/sequence_check/sequence_tracker.h"

#include <algorithm>

namespace sluice::stages {

std::string_view kind_name(SequenceKind kind) {
  switch (kind) {
    case SequenceKind::kOk:
      return "ok";
    case SequenceKind::kSmallGap:
      return "small_gap";
    case SequenceKind::kLargeGap:
      return "large_gap";
    case SequenceKind::kOutOfOrder:
      return "out_of_order";
    case SequenceKind::kReset:
      return "reset";
    case SequenceKind::kDuplicate:
      return "duplicate";
    case SequenceKind::kParked:
      return "parked";
    case SequenceKind::kPriceJump:
      return "price_jump";
  }
  return "?";
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kNone:
      return "";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kError:
      return "ERROR";
  }
  return "?";
}

Classification classify(KeyState& state, int64_t sequence, int64_t time_ms,
                        const SequenceThresholds& t) {
  Classification c;
  c.previous = state.last;
  if (!state.seen) {
    // A key's first tick is its baseline: nothing to compare with.
    state = KeyState{.seen = true, .last = sequence, .last_time_ms = time_ms};
    c.first = true;
    return c;
  }
  const bool long_silence = time_ms - state.last_time_ms > t.reset_after_ms;
  state.last_time_ms = std::max(state.last_time_ms, time_ms);
  // The reset test first, whatever the direction: a restarted exchange session
  // starts low again, and that is below the high mark, not above it.
  if (long_silence && double(sequence) < double(c.previous) * t.reset_ratio) {
    c.kind = SequenceKind::kReset;
    state.last = sequence;
    return c;
  }
  if (sequence <= c.previous) {
    c.kind = SequenceKind::kOutOfOrder;  // the high mark stays
    c.severity = Severity::kWarning;
    return c;
  }
  state.last = sequence;
  if (sequence == c.previous + 1) return c;
  c.gap = sequence - c.previous - 1;
  const bool small = c.gap <= t.gap_threshold;
  c.kind = small ? SequenceKind::kSmallGap : SequenceKind::kLargeGap;
  c.severity = small ? Severity::kWarning : Severity::kError;
  c.halts = c.gap > t.halt_gap;
  if (c.halts) {
    state.halted = true;
    state.halt_reason = "gap of " + std::to_string(c.gap) + " after " + std::to_string(c.previous) +
                        " (over " + std::to_string(t.halt_gap) + ")";
    state.parked = 0;
  }
  return c;
}

}  // namespace sluice::stages
