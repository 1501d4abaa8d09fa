// A CheckpointStore in memory, for tests that drive a stateful processor the
// way the runtime does (assign, checkpoint, "kill -9", assign elsewhere).
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "pipeline/state/checkpoint_store.h"

namespace sluice::pipeline {

class MemoryCheckpointStore : public CheckpointStore {
 public:
  std::optional<std::string> get(const std::string& key) override {
    auto it = objects.find(key);
    return it == objects.end() ? std::nullopt : std::optional(it->second);
  }
  void put(const std::string& key, const std::string& bytes) override {
    if (fail_puts) throw std::runtime_error("store is down");
    objects[key] = bytes;
  }
  void remove(const std::string& key) override { objects.erase(key); }
  std::string describe() const override { return "memory://"; }

  std::map<std::string, std::string> objects;
  bool fail_puts = false;  // put() throws, as a store that is down does
};

}  // namespace sluice::pipeline
