// EndTxn (v0-v4): commits or aborts the producer's transaction. Answered once
// the outcome is logged and every marker and group offset is written
// (transaction_coordinator.h), so a read_committed reader that starts after the
// answer sees the outcome.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/messages/transactions.h"
#include "broker/transactions/transaction_coordinator.h"

namespace sluice::broker::handlers {

std::optional<Bytes> end_txn(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::EndTxnRequest>(req, [&](const protocol::EndTxnRequest& in) {
    if (!authorized(ctx, req, acl::Operation::kWrite,
                    acl::Resource::transactional_id(in.transactional_id)))
      return refused<protocol::TxnErrorResponse>(acl::ResourceType::kTransactionalId);
    protocol::TxnErrorResponse resp;
    protocol::ErrorCode e = has_transactions(ctx) ? ctx.transactions->end_transaction(
                                                        in.transactional_id, in.producer_id,
                                                        in.producer_epoch, in.committed)
                                                  : protocol::ErrorCode::kCoordinatorNotAvailable;
    resp.error_code = txn_error(e, req.header.api_version, 2);
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
