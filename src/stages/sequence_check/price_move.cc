#include "stages/sequence_check/price_move.h"

#include <fmt/format.h>

#include <cmath>

namespace sluice::stages {
namespace {

bool within(double price, double level, double max_move) {
  return level > 0 && std::fabs(price - level) <= max_move * level;
}

}  // namespace

PriceMove check_price(KeyState& state, double price, double max_move) {
  PriceMove m;
  m.reference = state.reference_price;
  if (m.reference > 0) m.move = (price - m.reference) / m.reference;
  const bool accepted = m.reference <= 0 || within(price, state.reference_price, max_move) ||
                        within(price, state.candidate_price, max_move);
  if (accepted) {
    state.reference_price = price;
    state.candidate_price = 0;
  } else {
    state.candidate_price = price;
    m.jump = true;
  }
  return m;
}

void apply_price_move(Classification& c, const PriceMove& move) {
  if (!move.jump || c.severity != Severity::kNone) return;
  c.kind = SequenceKind::kPriceJump;
  c.severity = Severity::kWarning;
}

std::string describe_price_move(const PriceMove& move, double max_move) {
  return fmt::format("{:+.1f}% from {} (over {:g}%)", move.move * 100, move.reference,
                     max_move * 100);
}

}  // namespace sluice::stages
