// Where `sluice groups reset-offsets` moves each partition of a group, decided
// from figures alone: the partition's log range (watermarks), the group's
// committed offset and, for --to-datetime, the broker's answer to "first offset
// at or after that time". No cluster is reached here, so the arithmetic is the
// same for a dry run, an --execute and a test.
//
// Invariants of a plan: one entry per partition, in the order given; a
// --shift-by target always lies inside [low, high] (a shift never points before
// the log start or past its end); --to-earliest/--to-latest are the watermarks
// themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "cli/groups/offset_reset.h"

namespace sluice::cli {

// What is known about one partition before the reset.
struct PartitionBefore {
  int32_t partition = 0;
  kafka::Watermarks watermarks;
  std::optional<int64_t> committed;  // nullopt: the group never committed here
  int64_t at_time = -1;  // --to-datetime only: the broker's answer (-1: nothing that late)
};

struct PlannedOffset {
  int32_t partition = 0;
  std::optional<int64_t> current;  // the committed offset before, if any
  int64_t next = 0;                // the offset to commit
};

// Throws std::invalid_argument unless exactly one target flag is chosen.
void require_one_target(const ResetFlags& flags);

// One planned offset per partition. A shift starts from the committed offset
// (the log start without one); a datetime with no record that late goes to the
// end, where a consumer waits for the next record, as Kafka's tool does.
std::vector<PlannedOffset> plan_reset(const ResetFlags& flags,
                                      const std::vector<PartitionBefore>& partitions);

}  // namespace sluice::cli
