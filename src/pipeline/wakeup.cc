#include "pipeline/wakeup.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace sluice::pipeline {

namespace {
constexpr uint64_t kOne = 1;  // an eventfd adds each 8-byte write to its counter
}

Wakeup::Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0)
    throw std::runtime_error(std::string("cannot create the stage's eventfd: ") +
                             std::strerror(errno));
}

Wakeup::~Wakeup() {
  ::close(fd_);
}

void Wakeup::notify() {
  // EAGAIN means the counter is saturated: the poll thread is due to wake anyway.
  [[maybe_unused]] ssize_t n = ::write(fd_, &kOne, sizeof kOne);
}

void Wakeup::wait(int timeout_ms) {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) > 0) {
    uint64_t count = 0;
    [[maybe_unused]] ssize_t n = ::read(fd_, &count, sizeof count);
  }
}

}  // namespace sluice::pipeline
