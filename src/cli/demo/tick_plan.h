// What `sluice demo-source --kind ticks` produces: ASX market ticks (seed 003)
// as JSON, keyed "ASX.<symbol>", and what examples/market-ticks must do with
// each. Documented in docs/demo-source.md#market-ticks.
//
// Invariants:
//  - Deterministic: the same options give the same ticks in the same order.
//    Unlike IotPlan it is a sequential generator (next()): sequence numbers,
//    prices and halts depend on a symbol's history.
//  - Per symbol, exchange_sequence_number increases by one per tick within a
//    session and restarts at 1 each session (the reset); message_id
//    ("ASX.<symbol>.<n>") increases across sessions, so dedupe never takes a
//    new session's tick for a repeat.
//  - A session spans 10:00-16:00 Sydney time in `session_ticks` ticks; the
//    timestamp is written in Sydney's own offset (+10:00 or +11:00).
//  - The expected outcome of a tick that passes validation comes from the
//    sequence-check processor's own classifier (stages/sequence_check/
//    sequence_tracker.h, and price_move.h for jumps) run over the ticks in
//    order, so the manifest agrees
//    with the pipeline's thresholds by construction; the example checks the
//    plumbing around it (routing, parking, dedupe, rows).
//  - Rejected ticks (bad price or volume, undecodable bytes) take no sequence
//    number: the tracker never sees them, so they cause no gap.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/sequence_check/sequence_tracker.h"

namespace sluice::cli::demo {

enum class TickCase {
  kGood,
  kReset,         // a symbol's first tick of a new session (sequence back to 1)
  kDuplicate,     // byte for byte a tick already forwarded
  kOutOfOrder,    // held back behind its successor
  kDisordered,    // the successor that overtook it (a gap of one)
  kSmallGap,      // 1-9 numbers missing
  kLargeGap,      // 11-200 missing; over 100 halts the symbol
  kPriceJump,     // more than 10 % from the symbol's last price
  kOutsideHours,  // exchange time before 10:00 or from 16:00
  kBadPrice,      // price <= 0: rejected
  kBadVolume,     // volume < 0: rejected
  kUndecodable,   // not a tick at all
};
inline constexpr int kTickBadCaseCount = 7;  // kSmallGap .. kUndecodable

std::string_view tick_case_name(TickCase c);

struct TickOptions {
  uint64_t seed = 0;
  int64_t symbols = 40;            // the 20 critical ones first, up to the list's length
  int64_t session_ticks = 2000;    // ticks per 10:00-16:00 session (all symbols)
  int32_t first_session_days = 0;  // days since 1970-01-01 of the first session's date
  double bad_share = 0.02;
  double duplicate_share = 0.01;
  double disorder_share = 0.01;
  stages::SequenceThresholds thresholds;  // the pipeline's sequence-check options
  double max_price_move = 0.10;           // ... and its max_price_move (0: off)
};

struct Tick {
  int64_t number = 0;
  TickCase kind = TickCase::kGood;
  std::string key;    // "ASX.<symbol>"
  std::string value;  // the JSON tick (garbage for kUndecodable)
  int64_t sequence = 0;
  int64_t time_ms = 0;
  double price = 0;  // as written in `value`
  // "row", "quarantine", "duplicate" or "parked".
  std::string expected;
  std::string reason;    // for "quarantine": the rule or sequence kind
  std::string severity;  // for "quarantine": WARNING or ERROR
};

class TickPlan {
 public:
  // Throws std::invalid_argument naming the flag when an option is out of range.
  explicit TickPlan(TickOptions options);
  Tick next();

 private:
  struct Symbol {
    std::string name;
    double price = 0;
    int64_t session = -1;       // the session of its latest tick
    int64_t next_sequence = 1;  // within that session
    int64_t next_message = 1;
    stages::KeyState tracker;  // what sequence-check knows of it
    std::optional<Tick> held;  // an out-of-order tick waiting behind its successor
    std::optional<Tick> last_forwarded;
  };
  TickCase case_of(uint64_t n) const;
  size_t pick_symbol(uint64_t n) const;
  int64_t session_time_ms(int64_t session, int64_t i) const;
  Tick make(Symbol& s, TickCase kind, int64_t sequence, int64_t time_ms, double price,
            int64_t volume);
  void settle(Symbol& s, Tick& t);  // the expected outcome, through the tracker

  TickOptions o_;
  std::vector<Symbol> symbols_;
  std::vector<uint64_t> cumulative_weight_;
  int64_t n_ = 0;
  int32_t day_ = 0;  // the current session's Sydney date (days since 1970-01-01)
};

// One manifest line (JSON, no newline):
// {"n","key","case","expected","sequence","exchange_timestamp","reason","severity"}.
std::string tick_manifest_line(const Tick& t);

// Sydney's UTC offset in minutes on a local date (days since 1970-01-01):
// +11:00 from the first Sunday of October to the first Sunday of April, else +10:00.
int sydney_offset_minutes(int32_t local_days);

}  // namespace sluice::cli::demo
