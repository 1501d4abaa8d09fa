#include "pipeline/state/partition_states.h"

#include "pipeline/state/state_checkpoint.h"

namespace sluice::pipeline {

std::string checkpoint_key(const std::string& group, const std::string& topic, int32_t partition) {
  return "checkpoints/" + group + "/" + topic + "/" + std::to_string(partition);
}

std::optional<int64_t> PartitionStates::assigned(const std::string& topic, int32_t partition) {
  const std::string key = checkpoint_key(group_, topic, partition);
  std::optional<std::string> bytes = store_.get(key);
  if (!bytes) {
    processor_.restore(topic, partition, std::nullopt);
    checkpointed_[{topic, partition}] = -1;
    return std::nullopt;
  }
  StateCheckpoint c;
  try {
    c = decode_checkpoint(*bytes);
  } catch (const CheckpointError& e) {
    throw CheckpointError("state checkpoint " + store_.describe() + "/" + key + ": " + e.what() +
                          "; the stage will not guess its state: restore the object, or delete "
                          "it to start that partition's state empty");
  }
  processor_.restore(topic, partition, c.state);
  checkpointed_[{topic, partition}] = c.next_offset;
  return c.next_offset;
}

bool PartitionStates::checkpoint(const std::string& topic, int32_t partition, int64_t committable,
                                 bool state_changed) {
  auto it = checkpointed_.find({topic, partition});
  if (it == checkpointed_.end() || committable < it->second) return false;
  if (committable == it->second && !state_changed) return false;
  const std::string bytes = encode_checkpoint({committable, processor_.snapshot(topic, partition)});
  store_.put(checkpoint_key(group_, topic, partition), bytes);
  it->second = committable;
  return true;
}

void PartitionStates::revoked(const std::string& topic, int32_t partition) {
  processor_.release(topic, partition);
  checkpointed_.erase({topic, partition});
}

int64_t PartitionStates::checkpointed(const std::string& topic, int32_t partition) const {
  auto it = checkpointed_.find({topic, partition});
  return it == checkpointed_.end() ? -1 : it->second;
}

}  // namespace sluice::pipeline
