// Hands out producer ids for InitProducerId, unique across broker restarts.
//
// Invariant: the file DATA_DIR/producer_ids holds a number above every id ever
// handed out; ids are reserved in blocks so the file is written once per block.
// When the disk refuses that write, next() throws StorageError and hands out
// nothing, so a later call (once space returns) simply tries again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>

namespace sluice::broker {

class ProducerIdAllocator {
 public:
  explicit ProducerIdAllocator(std::filesystem::path data_dir);
  int64_t next();

 private:
  void reserve_block();

  std::filesystem::path path_;
  std::mutex mu_;
  int64_t next_ = 0;
  int64_t reserved_until_ = 0;
};

}  // namespace sluice::broker
