#include "cli/groups/reset_plan.h"

#include <algorithm>
#include <stdexcept>

namespace sluice::cli {

void require_one_target(const ResetFlags& f) {
  const int chosen = int{f.to_earliest} + int{f.to_latest} + int{!f.to_datetime.empty()} +
                     int{f.shift_by.has_value()};
  if (chosen != 1) {
    throw std::invalid_argument(
        "choose exactly one of --to-earliest, --to-latest, --to-datetime TS, --shift-by N");
  }
}

std::vector<PlannedOffset> plan_reset(const ResetFlags& f,
                                      const std::vector<PartitionBefore>& partitions) {
  require_one_target(f);
  std::vector<PlannedOffset> plan;
  for (const PartitionBefore& p : partitions) {
    const kafka::Watermarks w = p.watermarks;
    int64_t next = 0;
    if (f.to_earliest) {
      next = w.low;
    } else if (f.to_latest) {
      next = w.high;
    } else if (f.shift_by) {
      next = std::clamp(p.committed.value_or(w.low) + *f.shift_by, w.low, w.high);
    } else {
      next = p.at_time >= 0 ? p.at_time : w.high;
    }
    plan.push_back({p.partition, p.committed, next});
  }
  return plan;
}

}  // namespace sluice::cli
