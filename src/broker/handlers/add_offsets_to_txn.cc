// AddOffsetsToTxn (v0-v4): a consumer group whose offsets the transaction will
// commit (TxnOffsetCommit follows); they become the group's committed offsets
// only when the transaction commits.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/messages/transactions.h"
#include "broker/transactions/transaction_coordinator.h"

namespace sluice::broker::handlers {

std::optional<Bytes> add_offsets_to_txn(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::AddOffsetsToTxnRequest>(
      req, [&](const protocol::AddOffsetsToTxnRequest& in) {
        if (!authorized(ctx, req, acl::Operation::kWrite,
                        acl::Resource::transactional_id(in.transactional_id)))
          return refused<protocol::TxnErrorResponse>(acl::ResourceType::kTransactionalId);
        if (!authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id)))
          return refused<protocol::TxnErrorResponse>(acl::ResourceType::kGroup);
        protocol::TxnErrorResponse resp;
        protocol::ErrorCode e =
            has_transactions(ctx) ? ctx.transactions->add_group(in.transactional_id, in.producer_id,
                                                                in.producer_epoch, in.group_id)
                                  : protocol::ErrorCode::kCoordinatorNotAvailable;
        resp.error_code = txn_error(e, req.header.api_version, 2);
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
