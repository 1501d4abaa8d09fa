// How the transaction APIs answer the coordinator's verdicts: PRODUCER_FENCED
// exists only from some version of each API (AddPartitionsToTxn, AddOffsetsToTxn
// and EndTxn v2, InitProducerId v4; never TxnOffsetCommit or Produce), and
// older versions answer INVALID_PRODUCER_EPOCH for it, as Kafka does.
#pragma once

#include <cstdint>

#include "broker/broker_context.h"
#include "broker/protocol/errors.h"

namespace sluice::broker::handlers {

inline int16_t txn_error(protocol::ErrorCode e, int16_t version, int16_t fenced_since) {
  if (e == protocol::ErrorCode::kProducerFenced && version < fenced_since)
    e = protocol::ErrorCode::kInvalidProducerEpoch;
  return protocol::code(e);
}

// The coordinator, or nullopt's stand-in: without one (unit tests of other
// handlers) every transaction API answers COORDINATOR_NOT_AVAILABLE.
inline bool has_transactions(const BrokerContext& ctx) {
  return ctx.transactions != nullptr;
}

}  // namespace sluice::broker::handlers
