#include "broker/producers/producer_state.h"

#include <fmt/format.h>

namespace sluice::broker {

SequenceCheck ProducerStateTable::check(const BatchHeader& b) const {
  auto it = producers_.find(b.producer_id);
  if (it == producers_.end()) {
    // A producer we have no state for must start at sequence 0: anything else
    // means its earlier batches are gone, and only the client can start afresh.
    if (b.base_sequence == 0) return {};
    return {SequenceVerdict::kUnknownProducer, -1,
            fmt::format("producer {} is unknown here (its earlier batches were deleted, or its "
                        "topic re-created) and its batch has sequence {}, not 0; the producer "
                        "should bump its epoch and start again at 0",
                        b.producer_id, b.base_sequence)};
  }
  const Producer& p = it->second;
  if (b.producer_epoch < p.epoch) {
    return {SequenceVerdict::kFenced, -1,
            fmt::format("producer {} epoch {} is older than the current epoch {}", b.producer_id,
                        b.producer_epoch, p.epoch)};
  }
  if (b.producer_epoch > p.epoch) {
    if (b.base_sequence == 0) return {};
    return {SequenceVerdict::kOutOfOrder, -1,
            fmt::format("producer {} bumped its epoch to {} but started at sequence {}",
                        b.producer_id, b.producer_epoch, b.base_sequence)};
  }
  int32_t last = last_sequence(b.base_sequence, b.record_count);
  for (const Entry& e : p.recent) {
    if (e.first_seq == b.base_sequence && e.last_seq == last) {
      return {SequenceVerdict::kDuplicate, e.base_offset, ""};
    }
  }
  int32_t expected = next_sequence(p.recent.back().last_seq);
  if (b.base_sequence != expected) {
    return {SequenceVerdict::kOutOfOrder, -1,
            fmt::format("producer {} sent sequence {} but {} was expected", b.producer_id,
                        b.base_sequence, expected)};
  }
  return {};
}

void ProducerStateTable::record(const BatchHeader& b) {
  if (b.producer_id < 0) return;
  Producer& p = producers_[b.producer_id];
  if (b.producer_epoch != p.epoch) {
    p.epoch = b.producer_epoch;
    p.recent.clear();
  }
  p.recent.push_back(
      {b.base_sequence, last_sequence(b.base_sequence, b.record_count), b.base_offset});
  if (p.recent.size() > kRememberedBatches) p.recent.pop_front();
}

}  // namespace sluice::broker
