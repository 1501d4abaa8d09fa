// Removing records from a stored batch, as log compaction does.
//
// Invariant: a filtered batch keeps its base offset, last offset delta,
// producer id, epoch, base sequence and first timestamp, so offsets never move
// and producer state rebuilt from batch headers is unchanged; only the record
// count, the records (copied byte for byte, offset and timestamp deltas
// included), the max timestamp, the length and the CRC change. A batch whose
// records all go may keep its header as an empty batch (record count 0), which
// is how Kafka keeps a producer's last sequence in a compacted log.
#pragma once

#include <functional>

#include "broker/storage/record_batch.h"

namespace sluice::broker {

struct FilteredBatch {
  enum class Outcome {
    kUnchanged,  // every record kept: store the original bytes
    kRebuilt,    // some records (or all, with an empty header kept) went: store `batch`
    kDropped,    // nothing left to store
  };
  Outcome outcome = Outcome::kUnchanged;
  Bytes batch;       // the rebuilt batch (kRebuilt only)
  int32_t kept = 0;  // records kept
};

// Keeps the records of a validated magic-2 batch for which `keep` is true. The
// records are recompressed with the batch's own codec. With `keep_empty_header`,
// a batch losing every record becomes an empty, uncompressed batch instead of
// being dropped. Throws DecodeError on malformed records.
FilteredBatch filter_batch(ByteSpan batch, const std::function<bool(const RecordView&)>& keep,
                           bool keep_empty_header);

}  // namespace sluice::broker
