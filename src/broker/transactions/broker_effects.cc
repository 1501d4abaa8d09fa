#include "broker/transactions/broker_effects.h"

#include "broker/producers/transaction_markers.h"
#include "broker/storage/partition_log.h"
#include "common/log.h"

namespace sluice::broker::transactions {

TransactionEffects broker_effects(BrokerContext& ctx) {
  TransactionEffects e;
  e.write_marker = [&ctx](const TopicPartition& tp, int64_t producer_id, int16_t epoch,
                          bool commit) {
    auto partition = ctx.topics.partition(tp.first, tp.second);
    if (!partition) {
      // Deleted since it joined the transaction: nothing there to end.
      log::info("broker", "no marker for {}-{}: the partition no longer exists", tp.first,
                tp.second);
      return;
    }
    append_marker(ctx.producers, tp.first, tp.second, *partition, producer_id, epoch,
                  commit ? MarkerType::kCommit : MarkerType::kAbort, 0);
  };
  e.commit_offsets = [&ctx](const std::vector<std::pair<OffsetKey, CommittedOffset>>& offsets) {
    ctx.groups.offsets().commit(offsets);
  };
  e.next_producer_id = [&ctx] { return ctx.producer_ids.next(); };
  e.transaction_ended = [&ctx] { ctx.data.notify(); };
  return e;
}

}  // namespace sluice::broker::transactions
