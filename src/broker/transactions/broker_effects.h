// What the transaction coordinator does to the rest of the broker: markers go
// to the partition logs through the producers' slots (transaction_markers.h),
// committed group offsets to the offset store, new ids from the allocator.
// The one place the coordinator meets storage and groups.
#pragma once

#include "broker/broker_context.h"
#include "broker/transactions/transaction_coordinator.h"

namespace sluice::broker::transactions {

TransactionEffects broker_effects(BrokerContext& ctx);

}  // namespace sluice::broker::transactions
