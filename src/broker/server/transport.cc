#include "broker/server/transport.h"

#include <sys/socket.h>

#include <cerrno>

namespace sluice::broker {
namespace {

IoResult from_syscall(ssize_t n) {
  if (n > 0) return {IoResult::Kind::kDone, size_t(n), 0};
  if (n == 0) return {IoResult::Kind::kClosed, 0, 0};
  if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Kind::kWouldBlock, 0, 0};
  return {IoResult::Kind::kError, 0, errno};
}

class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(int fd) : fd_(fd) {}

  IoResult read(std::span<uint8_t> into) override {
    ssize_t n;
    do {
      n = ::recv(fd_, into.data(), into.size(), 0);
    } while (n < 0 && errno == EINTR);
    return from_syscall(n);
  }

  IoResult write(std::span<const iovec> parts) override {
    msghdr msg{};
    msg.msg_iov = const_cast<iovec*>(parts.data());
    msg.msg_iovlen = parts.size();
    ssize_t n;
    do {
      n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n == 0) return {IoResult::Kind::kWouldBlock, 0, 0};
    return from_syscall(n);
  }

 private:
  int fd_;
};

}  // namespace

std::unique_ptr<Transport> plain_transport(int fd) {
  return std::make_unique<PlainTransport>(fd);
}

}  // namespace sluice::broker
