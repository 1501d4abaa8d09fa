// AddPartitionsToTxn (v0-v3): the partitions a transactional producer is about
// to write join its transaction. All or nothing, as in Kafka: a partition that
// does not exist or may not be written is answered with its error and every
// other one with OPERATION_NOT_ATTEMPTED.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/messages/transactions.h"
#include "broker/transactions/transaction_coordinator.h"

namespace sluice::broker::handlers {
namespace {

using protocol::ErrorCode;

// Each partition's own problem, or kNone.
ErrorCode check_partition(BrokerContext& ctx, const protocol::Request& req,
                          const std::string& topic, int32_t partition) {
  if (!authorized(ctx, req, acl::Operation::kWrite, acl::Resource::topic(topic)))
    return ErrorCode::kTopicAuthorizationFailed;
  if (!ctx.topics.partition(topic, partition)) return ErrorCode::kUnknownTopicOrPartition;
  return ErrorCode::kNone;
}

}  // namespace

std::optional<Bytes> add_partitions_to_txn(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::AddPartitionsToTxnRequest>(
      req, [&](const protocol::AddPartitionsToTxnRequest& in) {
        protocol::AddPartitionsToTxnResponse resp;
        std::vector<std::vector<ErrorCode>> errors;
        std::vector<transactions::TopicPartition> wanted;
        bool any_problem = false;
        ErrorCode whole = ErrorCode::kNone;
        if (!authorized(ctx, req, acl::Operation::kWrite,
                        acl::Resource::transactional_id(in.transactional_id)))
          whole = ErrorCode::kTransactionalIdAuthorizationFailed;
        else if (!has_transactions(ctx))
          whole = ErrorCode::kCoordinatorNotAvailable;
        for (const auto& topic : in.topics) {
          auto& e = errors.emplace_back();
          for (int32_t p : topic.partitions) {
            e.push_back(whole != ErrorCode::kNone ? whole
                                                  : check_partition(ctx, req, topic.name, p));
            any_problem = any_problem || e.back() != ErrorCode::kNone;
            wanted.emplace_back(topic.name, p);
          }
        }
        ErrorCode outcome = ErrorCode::kNone;
        if (!any_problem) {
          outcome = ctx.transactions->add_partitions(in.transactional_id, in.producer_id,
                                                     in.producer_epoch, wanted);
        }
        for (size_t t = 0; t < in.topics.size(); ++t) {
          auto& out = resp.results_by_topic.emplace_back();
          out.name = in.topics[t].name;
          for (size_t i = 0; i < in.topics[t].partitions.size(); ++i) {
            ErrorCode e = !any_problem                       ? outcome
                          : errors[t][i] != ErrorCode::kNone ? errors[t][i]
                                                             : ErrorCode::kOperationNotAttempted;
            out.partitions.push_back(
                {in.topics[t].partitions[i], txn_error(e, req.header.api_version, 2)});
          }
        }
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
