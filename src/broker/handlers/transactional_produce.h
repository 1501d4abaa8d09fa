// Produce's one question for the transaction coordinator: a transactional batch
// may be written only by the producer that holds its transactional id at the
// current epoch (else INVALID_PRODUCER_EPOCH), to a partition already added to
// its open transaction (else INVALID_TXN_STATE), in a request that names the
// transactional id. Asked under the partition's lock (sequenced_append.h).
#pragma once

#include <string>

#include "broker/broker_context.h"
#include "broker/producers/sequenced_append.h"
#include "broker/protocol/codec.h"

namespace sluice::broker::handlers {

// The gate refers to `transactional_id` and `topic`: use it only while they live.
TransactionGate transaction_gate(BrokerContext& ctx,
                                 const protocol::NullableString& transactional_id,
                                 const std::string& topic, int32_t partition);

}  // namespace sluice::broker::handlers
