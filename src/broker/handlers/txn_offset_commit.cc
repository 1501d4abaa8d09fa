// TxnOffsetCommit (v0-v4): a transaction's consumed offsets (KIP-98's
// consume-transform-produce). They wait in the transaction and become the
// group's committed offsets at commit; an abort drops them. From v3 the member
// is checked against the group's generation, as OffsetCommit does (KIP-447).
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/messages/transactions.h"
#include "broker/transactions/transaction_coordinator.h"
#include "common/clock.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ErrorCode;

ErrorCode check_request(BrokerContext& ctx, const protocol::Request& req,
                        const protocol::TxnOffsetCommitRequest& in) {
  if (!authorized(ctx, req, acl::Operation::kWrite,
                  acl::Resource::transactional_id(in.transactional_id)))
    return ErrorCode::kTransactionalIdAuthorizationFailed;
  if (!authorized(ctx, req, acl::Operation::kRead, acl::Resource::group(in.group_id)))
    return ErrorCode::kGroupAuthorizationFailed;
  if (!has_transactions(ctx)) return ErrorCode::kCoordinatorNotAvailable;
  if (in.generation_id >= 0 || !in.member_id.empty()) {
    int16_t e = ctx.groups.check_commit(
        in.group_id, {in.generation_id, in.member_id, in.group_instance_id, true});
    if (e != 0) return ErrorCode(e);
  }
  return ErrorCode::kNone;
}

}  // namespace

std::optional<Bytes> txn_offset_commit(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::TxnOffsetCommitRequest>(
      req, [&](const protocol::TxnOffsetCommitRequest& in) {
        ErrorCode e = check_request(ctx, req, in);
        if (e == ErrorCode::kNone) {
          std::vector<std::pair<OffsetKey, CommittedOffset>> offsets;
          for (const auto& topic : in.topics) {
            for (const auto& p : topic.partitions) {
              offsets.push_back({{in.group_id, topic.name, p.index},
                                 {p.committed_offset, p.committed_leader_epoch,
                                  p.committed_metadata.value_or(""), now_ms()}});
            }
          }
          e = ctx.transactions->add_offsets(in.transactional_id, in.producer_id, in.producer_epoch,
                                            offsets);
        }
        protocol::TxnOffsetCommitResponse resp;
        for (const auto& topic : in.topics) {
          auto& out = resp.topics.emplace_back();
          out.name = topic.name;
          for (const auto& p : topic.partitions)
            out.partitions.push_back({p.index, txn_error(e, req.header.api_version, INT16_MAX)});
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
