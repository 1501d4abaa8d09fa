// DescribeTransactions (v0): each transactional id's state, producer, timeout
// and partitions (kafka-transactions describe).
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/messages/transactions.h"
#include "broker/transactions/transaction_coordinator.h"

namespace sluice::broker::handlers {
namespace {

using protocol::DescribeTransactionsResponse;
using protocol::ErrorCode;

DescribeTransactionsResponse::State describe_one(BrokerContext& ctx, const protocol::Request& req,
                                                 const std::string& id) {
  DescribeTransactionsResponse::State out;
  out.transactional_id = id;
  if (!authorized(ctx, req, acl::Operation::kDescribe, acl::Resource::transactional_id(id))) {
    out.error_code = authorization_failed(acl::ResourceType::kTransactionalId);
    return out;
  }
  auto t = has_transactions(ctx) ? ctx.transactions->describe(id) : std::nullopt;
  if (!t) {
    out.error_code = protocol::code(has_transactions(ctx) ? ErrorCode::kTransactionalIdNotFound
                                                          : ErrorCode::kCoordinatorNotAvailable);
    return out;
  }
  out.transaction_state = transactions::state_name(t->state);
  out.transaction_timeout_ms = t->timeout_ms;
  out.transaction_start_time_ms = t->start_time_ms;
  out.producer_id = t->producer_id;
  out.producer_epoch = t->producer_epoch;
  for (const auto& [topic, partition] : t->partitions) {
    if (out.topics.empty() || out.topics.back().topic != topic) out.topics.push_back({topic, {}});
    out.topics.back().partitions.push_back(partition);
  }
  return out;
}

}  // namespace

std::optional<Bytes> describe_transactions(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::DescribeTransactionsRequest>(
      req, [&](const protocol::DescribeTransactionsRequest& in) {
        DescribeTransactionsResponse resp;
        for (const std::string& id : in.transactional_ids)
          resp.transaction_states.push_back(describe_one(ctx, req, id));
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
