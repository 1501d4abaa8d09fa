#include "cli/up/admin_ports.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sluice::cli {
namespace {

// A TCP socket bound to 127.0.0.1:port with SO_REUSEADDR, as the admin server
// binds; -1 with errno set when the bind fails. The caller closes it.
int bind_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(uint16_t(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  return fd;
}

// `count` distinct ports the kernel calls free now. The sockets stay bound
// until all are picked, so the kernel cannot hand out the same port twice.
std::vector<int> pick_free_ports(size_t count) {
  std::vector<int> fds, ports;
  for (size_t i = 0; i < count; ++i) {
    int fd = bind_loopback(0);
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (fd < 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      for (int f : fds) ::close(f);
      throw std::runtime_error(std::string("cannot pick a free admin port on 127.0.0.1: ") +
                               std::strerror(errno));
    }
    fds.push_back(fd);
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int f : fds) ::close(f);
  return ports;
}

}  // namespace

AdminPortPlan plan_admin_ports(int base, size_t stage_processes, bool registry) {
  const size_t needed = stage_processes + 2 + (registry ? 1 : 0);  // broker, stages, exporter
  if (base < 0 || base + int64_t(needed) - 1 > 65535) {
    throw std::invalid_argument(
        "--admin-base-port " + std::to_string(base) + ": " + std::to_string(needed) +
        " consecutive ports from it must fit in 1-65535; choose a lower base, or 0 for free ports");
  }
  std::vector<int> ports;
  if (base == 0) {
    ports = pick_free_ports(needed);
  } else {
    for (size_t i = 0; i < needed; ++i) ports.push_back(base + int(i));
  }
  AdminPortPlan plan;
  plan.broker = ports.front();
  if (registry) {
    plan.registry = ports.back();
    ports.pop_back();
  }
  plan.stages.assign(ports.begin() + 1, ports.end() - 1);
  plan.exporter = ports.back();
  return plan;
}

void check_admin_ports_free(const std::vector<int>& ports, const std::vector<std::string>& names) {
  for (size_t i = 0; i < ports.size(); ++i) {
    const int fd = bind_loopback(ports[i]);
    if (fd >= 0) {
      ::close(fd);
      continue;
    }
    throw std::runtime_error(
        "admin port " + std::to_string(ports[i]) + " (for " + names[i] +
        ") is not free on 127.0.0.1: " + std::strerror(errno) +
        "; another process listens there (another `sluice up`?). Pass --admin-base-port with "
        "another base (sluice up uses consecutive ports from it: the broker, each stage process, "
        "the exporter), or --admin-base-port 0 to pick free ports");
  }
}

}  // namespace sluice::cli
