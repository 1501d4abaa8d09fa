#include "broker/handlers/transactional_produce.h"

#include <fmt/format.h>

#include "broker/protocol/errors.h"
#include "broker/transactions/transaction_coordinator.h"

namespace sluice::broker::handlers {

TransactionGate transaction_gate(BrokerContext& ctx,
                                 const protocol::NullableString& transactional_id,
                                 const std::string& topic, int32_t partition) {
  return [&ctx, &transactional_id, &topic,
          partition](const BatchHeader& h) -> std::optional<GateRefusal> {
    using protocol::ErrorCode;
    if (!transactional_id || !ctx.transactions) {
      return GateRefusal{protocol::code(ErrorCode::kInvalidTxnState),
                         fmt::format("transactional batch of producer {} in a Produce request "
                                     "without a transactional id",
                                     h.producer_id)};
    }
    ErrorCode e = ctx.transactions->check_produce(*transactional_id, h.producer_id,
                                                  h.producer_epoch, {topic, partition});
    if (e == ErrorCode::kNone) return std::nullopt;
    return GateRefusal{
        protocol::code(e),
        fmt::format("transactional id '{}' (producer {} epoch {}) may not write {}-{} now: {}",
                    *transactional_id, h.producer_id, h.producer_epoch, topic, partition,
                    e == ErrorCode::kInvalidTxnState
                        ? "the partition is not in its open transaction (AddPartitionsToTxn)"
                        : "not the producer id and epoch the coordinator holds")};
  };
}

}  // namespace sluice::broker::handlers
