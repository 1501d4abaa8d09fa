#include "idle_connections.h"

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice::bench {

int64_t raise_open_files_limit(int64_t needed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur == RLIM_INFINITY) return INT64_MAX;
  rlim_t want = static_cast<rlim_t>(std::max<int64_t>(needed, 0));
  if (limit.rlim_max != RLIM_INFINITY) want = std::min(want, limit.rlim_max);
  if (want > limit.rlim_cur) {
    limit.rlim_cur = want;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return static_cast<int64_t>(limit.rlim_cur);
}

IdleConnections::IdleConnections(int port, int64_t count) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  // A full accept backlog makes connect() wait for SYN retries: give up after 10 s.
  timeval timeout{10, 0};
  fds_.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      problem_ = "socket: " + std::string(std::strerror(errno));
      return;
    }
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      problem_ = "connect: " + std::string(std::strerror(errno));
      ::close(fd);
      return;
    }
    fds_.push_back(fd);
  }
}

IdleConnections::~IdleConnections() {
  for (int fd : fds_) ::close(fd);
}

}  // namespace sluice::bench
