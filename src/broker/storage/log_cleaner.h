// Log compaction (cleanup.policy=compact): the cleaner keeps, per key, the
// latest record, as Kafka's log cleaner does. docs/broker.md "Log compaction"
// is the operator's view; docs/formats/compaction.md has the files.
//
// One pass over a partition:
//  - The cleanable part is the sealed segments (never the active one) up to the
//    first whose newest record is younger than min.compaction.lag.ms, and short
//    of the earliest open transaction (the last stable offset). Below the log's
//    cleaner checkpoint it is clean, above it dirty.
//  - A pass runs when dirty bytes / cleanable bytes reach
//    min.cleanable.dirty.ratio, or when the oldest dirty record is older than
//    max.compaction.lag.ms.
//  - It maps each key of the dirty segments to its latest offset (until the
//    map's memory budget is spent, at a segment boundary: the pass then ends
//    there and the next one goes on), then rewrites every cleanable segment up
//    to that boundary, in groups that fit segment.bytes, keeping a record
//    unless a later offset of its key is in the map. Tombstones (null values)
//    go too once their segment was last written more than delete.retention.ms
//    ago, so a consumer gets at least that long to see them. Records without a
//    key go (a compacted topic refuses them anyway). Records of aborted
//    transactions supersede nothing and go: a read_committed reader (a Kafka
//    Streams store restoring from its changelog) never saw them, and must still
//    find the committed record they would have replaced. Control batches stay, and
//    so does the header of each producer's last batch (as an empty batch), so
//    producer state rebuilt from the log survives.
//
// Invariants: offsets never change (batches keep their offsets; dropped
// records leave gaps); each group replaces its segments atomically and
// crash-safely (PartitionLog::replace_segments, segment_swap.h), oldest group
// first, so a crash between groups leaves a log that is partly cleaned but
// whole; writers never wait for a pass; readers never see a half-cleaned
// segment. A pass that finds the log changed under it (retention, deletion)
// gives up and leaves it as it was.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::broker {

class PartitionLog;

struct CleanerOptions {
  // Memory for the key -> offset map of one pass (log.cleaner.dedupe.buffer.size).
  size_t dedupe_buffer_bytes = 128u << 20;
};

struct CleanStats {
  bool cleaned = false;  // a pass ran (and was not given up)
  size_t segments_before = 0;
  size_t segments_after = 0;
  int64_t bytes_read = 0;
  int64_t bytes_written = 0;
  int64_t records_read = 0;
  int64_t records_kept = 0;
  int64_t tombstones_dropped = 0;
  int64_t keyless_dropped = 0;
  int64_t aborted_dropped = 0;  // records of aborted transactions
  int64_t cleaned_end = 0;      // offsets below it are compacted now

  CleanStats& operator+=(const CleanStats& other);
};

// Cleans `log` once if its cleanup.policy includes compact and a pass is due
// (see above); a no-op otherwise. `now_ms` is the wall clock. Throws
// StorageError when a file cannot be read or written; the log is unchanged then.
// A pass is logged and added to cleaner_totals().
CleanStats clean_log(PartitionLog& log, int64_t now_ms, const CleanerOptions& options = {});

// Every pass of the process so far, for metrics; `passes` counts them.
struct CleanerTotals {
  uint64_t passes = 0;
  CleanStats stats;
};
CleanerTotals cleaner_totals();

}  // namespace sluice::broker
