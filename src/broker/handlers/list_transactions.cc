// ListTransactions (v0-v1): the transactional ids this coordinator knows, those
// the principal may DESCRIBE, filtered by state, producer id and (v1) how long
// the transaction has been open (kafka-transactions list / find-hanging).
#include <algorithm>

#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/messages/transactions.h"
#include "broker/transactions/transaction_coordinator.h"
#include "common/clock.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ListTransactionsRequest;

bool wanted(const transactions::TransactionMetadata& t, const ListTransactionsRequest& in,
            int64_t now) {
  const std::string state = transactions::state_name(t.state);
  if (!in.state_filters.empty() &&
      std::find(in.state_filters.begin(), in.state_filters.end(), state) == in.state_filters.end())
    return false;
  if (!in.producer_id_filters.empty() &&
      std::find(in.producer_id_filters.begin(), in.producer_id_filters.end(), t.producer_id) ==
          in.producer_id_filters.end())
    return false;
  // A duration filter asks for transactions open at least that long.
  if (in.duration_filter >= 0 &&
      (t.start_time_ms < 0 || now - t.start_time_ms < in.duration_filter))
    return false;
  return true;
}

}  // namespace

std::optional<Bytes> list_transactions(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<ListTransactionsRequest>(req, [&](const ListTransactionsRequest& in) {
    protocol::ListTransactionsResponse resp;
    for (const std::string& s : in.state_filters)
      if (!transactions::state_from_name(s)) resp.unknown_state_filters.push_back(s);
    if (!has_transactions(ctx)) {
      resp.error_code = protocol::code(protocol::ErrorCode::kCoordinatorNotAvailable);
      return std::optional(resp);
    }
    const int64_t now = now_ms();
    for (const auto& t : ctx.transactions->list()) {
      if (!wanted(t, in, now) || !visible(ctx, req, acl::Operation::kDescribe,
                                          acl::Resource::transactional_id(t.transactional_id)))
        continue;
      resp.transaction_states.push_back(
          {t.transactional_id, t.producer_id, transactions::state_name(t.state)});
    }
    return std::optional(resp);
  });
}

}  // namespace sluice::broker::handlers
