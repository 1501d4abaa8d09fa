// Idempotent-producer bookkeeping for one partition: for each producer id, its
// epoch and the last five batches' sequence ranges and offsets.
//
// Invariant: a batch is appended only if its first sequence follows the
// producer's last one (wrapping at INT32_MAX), or is 0 for a producer unknown
// here or at a new epoch; a retry of any of the last five
// batches is answered with the offsets it got the first time and not appended
// again. The table can be rebuilt from the log's batch headers alone.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "broker/storage/record_batch.h"

namespace sluice::broker {

// kUnknownProducer: no state for the producer here and its batch does not start
// at sequence 0 — its earlier batches are gone (topic re-created, DeleteRecords
// or retention, then a restart). Kafka answers UNKNOWN_PRODUCER_ID, and the
// client bumps its epoch and starts again at sequence 0 (KIP-360).
enum class SequenceVerdict { kAppend, kDuplicate, kOutOfOrder, kFenced, kUnknownProducer };

struct SequenceCheck {
  SequenceVerdict verdict = SequenceVerdict::kAppend;
  int64_t duplicate_base_offset = -1;  // for kDuplicate
  std::string reason;                  // for refusals, in words
};

class ProducerStateTable {
 public:
  static constexpr size_t kRememberedBatches = 5;

  SequenceCheck check(const BatchHeader& batch) const;
  // Records a batch that was appended (its header carries the assigned base offset).
  void record(const BatchHeader& batch);
  size_t producers() const { return producers_.size(); }

 private:
  struct Entry {
    int32_t first_seq;
    int32_t last_seq;
    int64_t base_offset;
  };
  struct Producer {
    int16_t epoch = -1;
    std::deque<Entry> recent;  // oldest first
  };
  std::map<int64_t, Producer> producers_;
};

// The sequence that follows `seq`, wrapping at INT32_MAX as Kafka producers do.
inline int32_t next_sequence(int32_t seq) {
  return seq == INT32_MAX ? 0 : seq + 1;
}
// The last sequence of a batch starting at `first` with `count` records.
inline int32_t last_sequence(int32_t first, int32_t count) {
  int64_t last = int64_t(first) + count - 1;
  return int32_t(last > INT32_MAX ? last - INT32_MAX - 1 : last);
}

}  // namespace sluice::broker
