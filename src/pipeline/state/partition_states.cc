#include "pipeline/state/partition_states.h"

namespace sluice::pipeline {

std::string checkpoint_key(const std::string& group, const std::string& topic, int32_t partition) {
  return "checkpoints/" + group + "/" + topic + "/" + std::to_string(partition);
}

std::string block_prefix(const std::string& checkpoint_key) {
  return checkpoint_key + ".blocks/";
}

std::optional<int64_t> PartitionStates::assigned(const std::string& topic, int32_t partition) {
  const std::string key = checkpoint_key(group_, topic, partition);
  Written& written = written_[{topic, partition}];
  written = Written{};
  std::optional<std::string> bytes = store_.get(key);
  if (!bytes) {
    processor_.restore(topic, partition, std::nullopt);
    return std::nullopt;
  }
  StateCheckpoint c;
  ProcessorState state;
  const std::string where = store_.describe() + "/" + key;
  try {
    c = decode_checkpoint(*bytes);
    for (const BlockRef& ref : c.blocks) {
      std::optional<std::string> block = store_.get(block_prefix(key) + ref.name);
      if (!block) throw CheckpointError("its state block " + ref.name + " is missing");
      check_block(ref, *block);
      state.blocks.push_back({ref.name, [b = std::move(*block)] { return b; }});
      written.blocks.emplace(ref.name, ref);
    }
  } catch (const CheckpointError& e) {
    throw CheckpointError("state checkpoint " + where + ": " + e.what() +
                          "; the stage will not guess its state: restore the object, or delete "
                          "it (and " +
                          block_prefix(key) + ") to start that partition's state empty");
  }
  state.head = std::move(c.state);
  processor_.restore(topic, partition, state);
  written.offset = c.next_offset;
  return c.next_offset;
}

bool PartitionStates::checkpoint(const std::string& topic, int32_t partition, int64_t committable,
                                 bool state_changed) {
  auto it = written_.find({topic, partition});
  if (it == written_.end() || committable < it->second.offset) return false;
  if (committable == it->second.offset && !state_changed) return false;
  Written& written = it->second;
  const std::string key = checkpoint_key(group_, topic, partition);
  ProcessorState state = processor_.snapshot(topic, partition);
  StateCheckpoint c{committable, std::move(state.head), {}};
  std::map<std::string, BlockRef> referenced;
  for (const StateBlock& block : state.blocks) {
    auto stored = written.blocks.find(block.name);
    if (stored == written.blocks.end()) {
      const std::string bytes = block.bytes();
      BlockRef ref = block_ref(block.name, bytes);
      store_.put(block_prefix(key) + block.name, bytes);
      stored = written.blocks.emplace(block.name, ref).first;
    }
    c.blocks.push_back(stored->second);
    referenced.emplace(block.name, stored->second);
  }
  store_.put(key, encode_checkpoint(c));
  written.offset = committable;
  // Only now may the blocks the previous checkpoint needed and this one does not
  // go. A failed removal leaves an orphan, which is harmless.
  for (const auto& [name, ref] : written.blocks) {
    if (referenced.contains(name)) continue;
    try {
      store_.remove(block_prefix(key) + name);
    } catch (const std::exception&) {
    }
  }
  written.blocks = std::move(referenced);
  return true;
}

void PartitionStates::revoked(const std::string& topic, int32_t partition) {
  processor_.release(topic, partition);
  written_.erase({topic, partition});
}

int64_t PartitionStates::checkpointed(const std::string& topic, int32_t partition) const {
  auto it = written_.find({topic, partition});
  return it == written_.end() ? -1 : it->second.offset;
}

}  // namespace sluice::pipeline
