// InitProducerId: a fresh producer id at epoch 0 for idempotent producers; for
// a transactional id, its producer id at the next epoch, from the transaction
// coordinator (which aborts the id's open transaction and so fences the
// producer that held it).
//
// From v3 a producer may send the id and epoch it holds (KIP-360). Kafka reads
// them only for transactional ids; an idempotent producer gets a fresh id
// whatever it sends, which is also right here: the old id's sequence state
// stays behind in the partitions and the new id starts from sequence 0. As in
// Kafka, an id without an epoch (or an epoch without an id) is INVALID_REQUEST.
#include "broker/handlers/authorize.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/errors.h"
#include "broker/protocol/messages/offsets.h"
#include "broker/storage/storage_error.h"
#include "broker/transactions/transaction_coordinator.h"

namespace sluice::broker::handlers {

std::optional<Bytes> init_producer_id(BrokerContext& ctx, const protocol::Request& req) {
  return protocol::serve<protocol::InitProducerIdRequest>(
      req, [&](const protocol::InitProducerIdRequest& in) {
        protocol::InitProducerIdResponse resp;
        // Kafka's rule: WRITE on the transactional id, or for an idempotent
        // producer IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
        bool allowed = in.transactional_id
                           ? authorized(ctx, req, acl::Operation::kWrite,
                                        acl::Resource::transactional_id(*in.transactional_id))
                           : authorized_for_idempotence(ctx, req);
        if (!allowed) {
          return refused<protocol::InitProducerIdResponse>(in.transactional_id
                                                               ? acl::ResourceType::kTransactionalId
                                                               : acl::ResourceType::kCluster);
        }
        if ((in.producer_id == -1) != (in.producer_epoch == -1)) {
          resp.error_code = protocol::code(protocol::ErrorCode::kInvalidRequest);
          return std::optional(resp);
        }
        if (in.transactional_id) {
          if (!has_transactions(ctx)) {
            resp.error_code = protocol::code(protocol::ErrorCode::kCoordinatorNotAvailable);
            return std::optional(resp);
          }
          auto r = ctx.transactions->init_producer(*in.transactional_id, in.transaction_timeout_ms,
                                                   in.producer_id, in.producer_epoch);
          resp.error_code = txn_error(r.error, req.header.api_version, 4);
          resp.producer_id = r.producer_id;
          resp.producer_epoch = r.producer_epoch;
          return std::optional(resp);
        }
        try {
          resp.producer_id = ctx.producer_ids.next();
        } catch (const StorageError&) {
          // The id block cannot be persisted (full disk): Kafka's answer when no id
          // block is available yet; clients retry.
          resp.error_code = protocol::code(protocol::ErrorCode::kCoordinatorLoadInProgress);
          return std::optional(resp);
        }
        resp.producer_epoch = 0;
        return std::optional(resp);
      });
}

}  // namespace sluice::broker::handlers
