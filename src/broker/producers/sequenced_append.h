// Appending a produced batch to a partition log, with the idempotent
// producer's sequence check when the batch carries a producer id.
//
// Invariant: for an idempotent batch, the check against the producer's state,
// the append and the recording of the new sequence happen under the
// partition's producer-state lock, so two retries of one batch can never both
// be appended; a retry of one of the last five batches is answered with the
// offset it got the first time. Batches without a producer id append directly.
// The batch is only written here: the caller commits it (PartitionLog::commit
// with commit_to) outside the lock, before answering, so a sync never holds
// the producer-state lock and one sync can cover several requests.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "broker/producers/producer_registry.h"

namespace sluice::broker {

class PartitionLog;

// Whether a transactional batch may be written, asked under the partition's lock
// right before the write (handlers/transactional_produce.h): nullopt admits it,
// else the Kafka error code and why. Asking under the lock makes the
// coordinator's check and the append one step: a transaction's markers are
// written under the same lock after its state left Ongoing, so no batch of it can
// land after its marker and leave a transaction open forever.
struct GateRefusal {
  int16_t error_code = 0;
  std::string reason;
};
using TransactionGate = std::function<std::optional<GateRefusal>(const BatchHeader&)>;

struct SequencedAppend {
  SequenceVerdict verdict = SequenceVerdict::kAppend;  // kAppend: new data is written
  int64_t base_offset = -1;                            // where the batch is (kAppend, kDuplicate)
  std::string reason;                                  // for refusals, in words
  // Commit the log up to here before acknowledging: covers the batch, or the
  // first copy of a duplicate (which may still await its sync). -1 for refusals.
  int64_t commit_to = -1;
  int16_t gate_error = 0;  // the TransactionGate refused the batch (nothing written)
};

SequencedAppend append_with_sequence_check(ProducerRegistry& producers, const std::string& topic,
                                           int32_t partition, PartitionLog& log,
                                           std::span<uint8_t> batch,
                                           const TransactionGate& gate = {});

}  // namespace sluice::broker
