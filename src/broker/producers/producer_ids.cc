#include "broker/producers/producer_ids.h"

#include <fstream>
#include <string>

#include "broker/storage/durable_file.h"

namespace sluice::broker {
namespace {
constexpr int64_t kBlock = 1000;
}

ProducerIdAllocator::ProducerIdAllocator(std::filesystem::path data_dir)
    : path_(data_dir / "producer_ids") {
  std::filesystem::create_directories(data_dir);
  std::ifstream in(path_);
  if (!(in >> next_)) next_ = 1000;  // leave low ids free; they are easy to mistake for test values
  reserved_until_ = next_;
}

void ProducerIdAllocator::reserve_block() {
  // On disk first: an id is handed out only once a restart cannot hand it out again.
  int64_t until = next_ + kBlock;
  write_file_atomically(path_, std::to_string(until) + "\n");
  reserved_until_ = until;
}

int64_t ProducerIdAllocator::next() {
  std::lock_guard lock(mu_);
  if (next_ >= reserved_until_) reserve_block();
  return next_++;
}

}  // namespace sluice::broker
