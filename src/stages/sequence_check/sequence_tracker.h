// The sequence classification of seed 003 (docs/processors.md#sequence-check),
// for one key's ticks in arrival order: ok, small_gap, large_gap,
// out_of_order or reset. Pure: no I/O, no clock but the ticks' own times, so a
// replay after a crash classifies every tick exactly as the first run did.
//
// Invariants: the reset test runs before any other comparison, on every
// branch — a tick far below the high mark after a long silence is a new
// session (reset), never out_of_order (the original only tested forward
// jumps). An out-of-order tick never lowers the high mark. A halt is only
// ever set here (gap over `halt_gap`) or by an operator command, and only an
// operator's resume clears it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::stages {

// kPriceJump is not a sequence classification but a price one (price_move.h):
// it shares the header and the quarantine path so a flagged tick is routed alike.
enum class SequenceKind {
  kOk,
  kSmallGap,
  kLargeGap,
  kOutOfOrder,
  kReset,
  kDuplicate,
  kParked,
  kPriceJump
};
inline constexpr int kSequenceKindCount = 8;
enum class Severity { kNone, kWarning, kError };

std::string_view kind_name(SequenceKind kind);      // "ok", "small_gap", ...
std::string_view severity_name(Severity severity);  // "", "WARNING", "ERROR"

struct SequenceThresholds {
  int64_t gap_threshold = 10;        // gaps up to this are small (WARNING), above large (ERROR)
  int64_t halt_gap = 100;            // a gap above this also halts the key
  double reset_ratio = 0.5;          // reset: new < last * reset_ratio ...
  int64_t reset_after_ms = 3600000;  // ... and more than this since the last tick
};

// One key's memory.
struct KeyState {
  bool seen = false;
  int64_t last = 0;          // the high mark: the highest sequence number accepted
  int64_t last_time_ms = 0;  // the latest tick time seen (max, so late ticks never pull it back)
  bool halted = false;
  std::string halt_reason;  // why, for `sluice symbols status`
  int64_t parked = 0;       // ticks parked since the halt
  // The price check (price_move.h), when the stage has max_price_move; 0: none yet.
  double reference_price = 0;  // the price of the last accepted tick
  double candidate_price = 0;  // the last jumped price, a possible new level

  bool operator==(const KeyState&) const = default;
};

struct Classification {
  SequenceKind kind = SequenceKind::kOk;
  Severity severity = Severity::kNone;
  bool first = false;    // the key's first tick: its baseline, nothing to compare with
  int64_t previous = 0;  // the high mark before this tick (when not first)
  int64_t gap = 0;       // sequence numbers missing before this tick (gaps only)
  bool halts = false;    // this tick's gap halted the key
};

// Classifies a tick of a key that is not halted and updates `state`.
Classification classify(KeyState& state, int64_t sequence, int64_t time_ms,
                        const SequenceThresholds& thresholds);

}  // namespace sluice::stages
