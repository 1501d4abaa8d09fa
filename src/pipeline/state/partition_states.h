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
//  - A state block is stored, under block_prefix(key), before the first
//    checkpoint that refers to it, and removed only after a checkpoint that no
//    longer does; so every block a stored checkpoint names exists. A block a
//    crash left unreferenced is stored again under the same name by the replay
//    (a processor names blocks by what they hold), so orphans do not pile up.
//    Blocks are removed only by the process that referred to them: sweeping
//    others' unreferenced blocks could delete what a slower previous owner is
//    about to refer to.
// Threads: the poll thread only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "pipeline/processor.h"
#include "pipeline/state/checkpoint_store.h"
#include "pipeline/state/state_checkpoint.h"

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
  struct Written {
    int64_t offset = -1;                     // of the last checkpoint (-1: none)
    std::map<std::string, BlockRef> blocks;  // the stored blocks it refers to, by name
  };

  std::map<std::pair<std::string, int32_t>, Written> written_;
};

}  // namespace sluice::pipeline
