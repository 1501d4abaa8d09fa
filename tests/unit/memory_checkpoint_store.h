// A CheckpointStore in memory, for tests that drive a stateful processor the
// way the runtime does (assign, checkpoint, "kill -9", assign elsewhere).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "pipeline/state/checkpoint_store.h"

namespace sluice::pipeline {

class MemoryCheckpointStore : public CheckpointStore {
 public:
  std::optional<std::string> get(const std::string& key) override {
    auto it = objects_.find(key);
    return it == objects_.end() ? std::nullopt : std::optional(it->second);
  }
  void put(const std::string& key, const std::string& bytes) override { objects_[key] = bytes; }
  std::string describe() const override { return "memory://"; }

 private:
  std::map<std::string, std::string> objects_;
};

}  // namespace sluice::pipeline
