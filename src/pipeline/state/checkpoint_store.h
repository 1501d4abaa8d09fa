// Where processor-state checkpoints are kept: one object per (group, topic,
// partition), shared by every process of the stage so that state moves with a
// partition on a rebalance. The pipeline knows only this interface; the CLI
// backs it with an object store (local directory or S3).
//
// Invariant: put() replaces an object whole — a concurrent or later get() sees
// the old bytes or the new ones, never a mix, also after a crash mid-put.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::pipeline {

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // nullopt when there is no such object.
  virtual std::optional<std::string> get(const std::string& key) = 0;
  virtual void put(const std::string& key, const std::string& bytes) = 0;
  // Removing a missing object is not an error.
  virtual void remove(const std::string& key) = 0;
  // Where the store is, for messages (a URL).
  virtual std::string describe() const = 0;
};

// checkpoints/<group>/<topic>/<partition>
std::string checkpoint_key(const std::string& group, const std::string& topic, int32_t partition);
// Where the blocks of that checkpoint are kept: <checkpoint_key>.blocks/<name>
std::string block_prefix(const std::string& checkpoint_key);

}  // namespace sluice::pipeline
