#include "broker/producers/producer_ids.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string>

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
  reserved_until_ = next_ + kBlock;
  auto tmp = path_;
  tmp += ".tmp";
  std::string content = std::to_string(reserved_until_) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || ::write(fd, content.data(), content.size()) != ssize_t(content.size()) ||
      ::fsync(fd) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot persist producer id block to " + tmp.string());
  }
  ::close(fd);
  std::filesystem::rename(tmp, path_);
}

int64_t ProducerIdAllocator::next() {
  std::lock_guard lock(mu_);
  if (next_ >= reserved_until_) reserve_block();
  return next_++;
}

}  // namespace sluice::broker
