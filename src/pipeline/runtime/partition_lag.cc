#include "pipeline/runtime/partition_lag.h"

#include <algorithm>

namespace sluice::pipeline {

bool needs_position(const LagInputs& in) {
  return in.committable < 0 && in.committed < 0 && in.first_consumed < 0;
}

std::optional<int64_t> partition_lag(const LagInputs& in) {
  // From the first record consumed when nothing is committable yet, so records
  // held in the stage still count.
  int64_t next = in.committable >= 0      ? in.committable
                 : in.first_consumed >= 0 ? in.first_consumed
                                          : std::max(in.committed, in.low);
  if (needs_position(in)) {
    // The fetch position: the group's committed offset, or a sink's resume offset.
    // Before the consumer knows it (a partition paused or not fetched yet), the
    // group's committed offset from the broker, else the log start: such a
    // partition still counts, or a stage that stopped fetching would hide its lag.
    if (in.position && *in.position >= 0) {
      next = std::max(*in.position, in.low);
    } else if (!in.group_committed) {
      return std::nullopt;
    } else {
      next = std::max(*in.group_committed, in.low);
    }
  }
  return std::max<int64_t>(in.high - next, 0);
}

}  // namespace sluice::pipeline
