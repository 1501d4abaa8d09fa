// The runtime's side of processor state: restores a stateful processor's
// per-partition state on assignment and checkpoints it as offsets advance.
// Format and promise: docs/formats/state-checkpoint.md.
//
// Invariants:
//  - assigned() restores the state of the partition's checkpoint (or none) before
//    any of its records is processed, and returns the offset to read from: the
//    checkpoint's, whatever the group committed.
//  - checkpoint() is called with a partition's committable offset — every record
//    below it processed and every output acknowledged — and only while none of
//    its records is being processed; it writes state and offset as one object,
//    and the caller commits the group offset only after it returns. A write that
//    fails throws: the caller must not commit past the last checkpoint.
//  - revoked() makes the processor forget the partition (its next owner restores
//    it from the checkpoint).
// Threads: the poll thread only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "pipeline/processor.h"
#include "pipeline/state/checkpoint_store.h"

namespace sluice::pipeline {

class PartitionStates {
 public:
  PartitionStates(std::string group, StatefulProcessor& processor, CheckpointStore& store)
      : group_(std::move(group)), processor_(processor), store_(store) {}

  // The offset to start reading at, or nullopt (no checkpoint: the group's offset).
  // Throws CheckpointError naming the object when its checkpoint is damaged.
  std::optional<int64_t> assigned(const std::string& topic, int32_t partition);
  // Writes a checkpoint at `committable` if it moved past the last one — or,
  // with `state_changed` (a tick changed the state), also at the same offset;
  // true if written.
  bool checkpoint(const std::string& topic, int32_t partition, int64_t committable,
                  bool state_changed = false);
  void revoked(const std::string& topic, int32_t partition);

  // The offset of the partition's last checkpoint (-1: none).
  int64_t checkpointed(const std::string& topic, int32_t partition) const;

 private:
  std::string group_;
  StatefulProcessor& processor_;
  CheckpointStore& store_;
  std::map<std::pair<std::string, int32_t>, int64_t> checkpointed_;
};

}  // namespace sluice::pipeline
