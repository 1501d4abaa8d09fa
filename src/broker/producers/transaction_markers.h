// The producers' side of transactions on one partition: writing a marker that
// ends a producer's transaction, and what a read_committed reader may see.
// Both go through the partition's producer-state slot, so the transaction index
// sees every batch with a producer id in offset order (producer_registry.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/producers/producer_registry.h"
#include "broker/storage/control_batch.h"

namespace sluice::broker {

class PartitionLog;

// Appends the marker and returns once it is visible (durable under flush
// `always`). Throws StorageError / PartitionRetired as PartitionLog::write does.
void append_marker(ProducerRegistry& producers, const std::string& topic, int32_t partition,
                   PartitionLog& log, int64_t producer_id, int16_t producer_epoch, MarkerType type,
                   int32_t coordinator_epoch);

struct CommittedView {
  int64_t last_stable_offset = 0;
  std::vector<AbortedTransaction> aborted;  // with data in [from, last_stable_offset)
};
CommittedView committed_view(ProducerRegistry& producers, const std::string& topic,
                             int32_t partition, const PartitionLog& log, int64_t high_watermark,
                             int64_t from);

}  // namespace sluice::broker
