// Processor-state checkpoints kept in an object store (a local directory or
// S3): the CLI's backing of pipeline::CheckpointStore. ObjectStore::put is
// atomic on both back ends, which is the replace-whole promise checkpoints need.
#pragma once

#include <memory>

#include "lake/store/object_store.h"
#include "pipeline/state/checkpoint_store.h"

namespace sluice::cli {

class ObjectStoreCheckpoints : public pipeline::CheckpointStore {
 public:
  explicit ObjectStoreCheckpoints(std::unique_ptr<lake::ObjectStore> store)
      : store_(std::move(store)) {}
  std::optional<std::string> get(const std::string& key) override { return store_->get(key); }
  void put(const std::string& key, const std::string& bytes) override { store_->put(key, bytes); }
  void remove(const std::string& key) override { store_->remove(key); }
  std::string describe() const override { return store_->url(); }

 private:
  std::unique_ptr<lake::ObjectStore> store_;
};

}  // namespace sluice::cli
