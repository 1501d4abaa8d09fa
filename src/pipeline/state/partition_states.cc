#include "pipeline/state/partition_states.h"

#include <algorithm>
#include <exception>
#include <future>

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

void PartitionStates::checkpoint_all(std::vector<Checkpoint>& checkpoints) {
  // The writes to make: snapshots first, on this thread (processors are not
  // asked from two threads at once).
  struct Write {
    Checkpoint* c;
    int64_t* checkpointed;
    std::string key, bytes;
  };
  std::vector<Write> writes;
  for (Checkpoint& c : checkpoints) {
    auto it = checkpointed_.find({c.topic, c.partition});
    if (it == checkpointed_.end() || c.committable < it->second) continue;
    if (c.committable == it->second && !c.state_changed) continue;
    try {
      writes.push_back(
          {&c, &it->second, checkpoint_key(group_, c.topic, c.partition),
           encode_checkpoint({c.committable, processor_.snapshot(c.topic, c.partition)})});
    } catch (const std::exception& e) {
      c.error = e.what();
    }
  }
  // Then the puts, at most kParallelPuts at a time.
  constexpr size_t kParallelPuts = 16;
  for (size_t first = 0; first < writes.size(); first += kParallelPuts) {
    const size_t last = std::min(writes.size(), first + kParallelPuts);
    std::vector<std::future<void>> puts;
    for (size_t i = first; i < last; ++i) {
      const Write& w = writes[i];
      puts.push_back(std::async(std::launch::async, [this, &w] { store_.put(w.key, w.bytes); }));
    }
    for (size_t i = first; i < last; ++i) {
      try {
        puts[i - first].get();
        *writes[i].checkpointed = writes[i].c->committable;
      } catch (const std::exception& e) {
        writes[i].c->error = e.what();
      }
    }
  }
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
