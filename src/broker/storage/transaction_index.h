// One partition's transactions, as read_committed readers need them: the open
// transaction of each producer (where it began) and the aborted ones (where
// each began and where its abort marker is).
//
// Invariant: built only from the partition's batches in offset order — a
// transactional data batch opens its producer's transaction if none is open, a
// marker closes it (an abort marker records it as aborted) — so it can always
// be rebuilt by scanning the log, which is what happens after a start: the
// index is never written to disk (ProducerRegistry::ensure_loaded scans each
// partition once, on first use). The last stable offset is the first offset of
// the earliest open transaction, or the high watermark when none is below it.
// Aborted transactions wholly below the log start offset are kept (a few
// bytes each) until the next start.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "broker/storage/control_batch.h"
#include "broker/storage/record_batch.h"

namespace sluice::broker {

struct AbortedTransaction {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
  int64_t last_offset = -1;  // the abort marker's offset
};

class TransactionIndex {
 public:
  // A batch appended at `header.base_offset`; `batch` is its bytes (read only
  // for a control batch's marker type).
  void observe(const BatchHeader& header, ByteSpan batch);
  void on_data(int64_t producer_id, int64_t base_offset);
  void on_marker(int64_t producer_id, MarkerType type, int64_t marker_offset);

  int64_t last_stable_offset(int64_t high_watermark) const;
  // Aborted transactions with data in [from, to): what a read_committed Fetch of
  // that range must be told, in marker order.
  std::vector<AbortedTransaction> aborted_between(int64_t from, int64_t to) const;
  size_t open_transactions() const { return open_.size(); }

 private:
  std::map<int64_t, int64_t> open_;          // producer id -> first offset of its open transaction
  std::vector<AbortedTransaction> aborted_;  // in marker (= last offset) order
};

// Cuts `batches` (whole batches, as PartitionLog::read returns them) before the
// first batch at or past `end`: what read_committed may see of a read.
void cut_batches_at(Bytes& batches, int64_t end);

}  // namespace sluice::broker
