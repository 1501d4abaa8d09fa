// The price-move check of seed 003 ("quarantine > 10 % price moves";
// docs/processors.md#sequence-check), for one key's ticks in arrival order,
// beside the sequence classification. Pure, like sequence_tracker.h: a replay
// after a crash judges every tick as the first run did, and the tick demo
// source runs the same function to write its manifest.
//
// The rule, and why: a tick whose price is more than `max_move` (a fraction)
// away from the reference — the price of the key's last accepted tick — is a
// price_jump (WARNING). A jumped price does not become the reference, so a
// lone bad print does not make the good tick after it look like a jump back.
// It is kept as the candidate level instead: the next tick within `max_move`
// of the candidate confirms a real re-pricing and is accepted, becoming the
// reference. So a bad print costs one quarantined tick, and so does a genuine
// re-pricing (its first tick) — never every tick after it, which a reference
// that never moves would cost. (One confirming tick, not N: the simplest rule
// that bounds the cost; a larger N only quarantines more real prices.)
//
// Invariant: the reference only ever holds a price that was accepted; a key's
// first priced tick is accepted (nothing to compare with).
#pragma once

#include <string>

#include "stages/sequence_check/sequence_tracker.h"

namespace sluice::stages {

struct PriceMove {
  bool jump = false;
  double reference = 0;  // what the price was compared with (0: the key's first priced tick)
  double move = 0;       // (price - reference) / reference, signed
};

// Judges `price` (> 0) against the key's reference and updates `state`.
PriceMove check_price(KeyState& state, double price, double max_move);

// A jump turns a tick the sequence rules let through (no severity) into a
// price_jump with severity WARNING; a tick they already flagged keeps its
// sequence kind (one reason per quarantined tick), though its price was judged.
void apply_price_move(Classification& c, const PriceMove& move);

// "+15.0% from 23.450 (over 10%)": the sluice.sequence.price_move header.
std::string describe_price_move(const PriceMove& move, double max_move);

}  // namespace sluice::stages
