// Which offsets a topic scan reads of each partition, decided from figures
// alone (the partitions' watermarks, the --since answer, and what an earlier
// scan already read), so a resumed scan reads only what is new and notices
// when the earlier figures no longer describe the log.
//
// A partition's span [start, end) is what has been read of it, in total;
// `from` is where this scan begins (start for a first scan, the earlier end
// when resuming). Invariant: start <= from <= end, and [from, end) is exactly
// what is new.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>

#include "kafka/types.h"

namespace sluice::cli {

struct ScanSpan {
  int64_t start = 0;  // the first offset read, over every scan so far
  int64_t from = 0;   // where this scan begins
  int64_t end = 0;    // the high watermark when this scan began: read up to here
};
using ScanSpans = std::map<int32_t, ScanSpan>;  // by partition

// Thrown when an earlier scan's spans no longer fit the log: a partition is
// gone, its log start moved past the span's start (records were deleted, or the
// topic was recreated) or its end is below the span's end (recreated). Whoever
// resumes must start over.
class ScanResumeMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The spans of a scan of partitions with watermarks `logs`. A partition not in
// `earlier` starts at its log start or, with `at_time` (the offsets of the first
// records at or after --since), at the later of the two; a partition that
// at_time leaves out or answers -1 for (nothing that recent) is left out. A
// partition in `earlier` keeps its start and continues at its end.
ScanSpans plan_scan(const std::map<int32_t, kafka::Watermarks>& logs,
                    const std::optional<std::map<int32_t, int64_t>>& at_time,
                    const ScanSpans& earlier = {});

}  // namespace sluice::cli
