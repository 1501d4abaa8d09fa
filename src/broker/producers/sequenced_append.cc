#include "broker/producers/sequenced_append.h"

#include <mutex>

#include "broker/storage/partition_log.h"
#include "broker/storage/record_batch.h"

namespace sluice::broker {

SequencedAppend append_with_sequence_check(ProducerRegistry& producers, const std::string& topic,
                                           int32_t partition, PartitionLog& log,
                                           std::span<uint8_t> batch, const TransactionGate& gate) {
  BatchHeader h = *parse_batch_header(batch);
  auto refused = [&]() -> std::optional<SequencedAppend> {
    if (!gate || !h.is_transactional()) return std::nullopt;
    auto why = gate(h);
    if (!why) return std::nullopt;
    SequencedAppend out{SequenceVerdict::kAppend, -1, why->reason};
    out.gate_error = why->error_code;
    return out;
  };
  if (h.producer_id < 0) {
    if (auto r = refused()) return *r;
    PartitionLog::AppendResult written = log.write(batch);
    return {SequenceVerdict::kAppend, written.base_offset, {}, written.end_offset};
  }
  auto slot = producers.slot(topic, partition);
  std::lock_guard lock(slot->mu);
  ProducerRegistry::ensure_loaded(*slot, log);
  if (auto r = refused()) return *r;
  SequenceCheck check = slot->table.check(h);
  if (check.verdict == SequenceVerdict::kDuplicate) {
    return {check.verdict, check.duplicate_base_offset, {}, log.written_end_offset()};
  }
  if (check.verdict != SequenceVerdict::kAppend) return {check.verdict, -1, check.reason};
  PartitionLog::AppendResult written = log.write(batch);
  h.base_offset = written.base_offset;
  slot->table.record(h);
  slot->txns.observe(h, batch);
  return {SequenceVerdict::kAppend, h.base_offset, {}, written.end_offset};
}

}  // namespace sluice::broker
