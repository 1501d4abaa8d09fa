#include "broker/producers/transaction_markers.h"

#include <mutex>

#include "broker/storage/partition_log.h"
#include "broker/storage/record_batch.h"
#include "common/clock.h"

namespace sluice::broker {

void append_marker(ProducerRegistry& producers, const std::string& topic, int32_t partition,
                   PartitionLog& log, int64_t producer_id, int16_t producer_epoch, MarkerType type,
                   int32_t coordinator_epoch) {
  Bytes batch = build_marker_batch(producer_id, producer_epoch, type, coordinator_epoch, now_ms());
  int64_t commit_to = -1;
  {
    auto slot = producers.slot(topic, partition);
    std::lock_guard lock(slot->mu);
    ProducerRegistry::ensure_loaded(*slot, log);
    PartitionLog::AppendResult written = log.write(batch);
    BatchHeader h = *parse_batch_header(batch);
    slot->txns.observe(h, batch);
    commit_to = written.end_offset;
  }
  log.commit(commit_to);
}

CommittedView committed_view(ProducerRegistry& producers, const std::string& topic,
                             int32_t partition, const PartitionLog& log, int64_t high_watermark,
                             int64_t from) {
  auto slot = producers.slot(topic, partition);
  std::lock_guard lock(slot->mu);
  ProducerRegistry::ensure_loaded(*slot, log);
  CommittedView view;
  view.last_stable_offset = slot->txns.last_stable_offset(high_watermark);
  view.aborted = slot->txns.aborted_between(from, view.last_stable_offset);
  return view;
}

}  // namespace sluice::broker
