#include "broker/transactions/transaction_state.h"

namespace sluice::broker::transactions {

namespace {
constexpr std::pair<TxnState, const char*> kNames[] = {
    {TxnState::kEmpty, "Empty"},
    {TxnState::kOngoing, "Ongoing"},
    {TxnState::kPrepareCommit, "PrepareCommit"},
    {TxnState::kPrepareAbort, "PrepareAbort"},
    {TxnState::kCompleteCommit, "CompleteCommit"},
    {TxnState::kCompleteAbort, "CompleteAbort"},
};
}  // namespace

const char* state_name(TxnState s) {
  for (const auto& [state, name] : kNames)
    if (state == s) return name;
  return "Unknown";
}

std::optional<TxnState> state_from_name(const std::string& name) {
  for (const auto& [state, n] : kNames)
    if (name == n) return state;
  return std::nullopt;
}

}  // namespace sluice::broker::transactions
