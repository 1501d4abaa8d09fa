#include "broker/server/tcp_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/log.h"

namespace sluice::broker {

std::pair<std::string, int> parse_host_port(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("address '" + address + "' must be HOST:PORT, e.g. 127.0.0.1:9092");
  }
  std::string host = address.substr(0, colon);
  int port = 0;
  try {
    size_t used = 0;
    port = std::stoi(address.substr(colon + 1), &used);
    if (used != address.size() - colon - 1) throw std::invalid_argument("trailing characters");
  } catch (const std::exception&) {
    throw std::invalid_argument("port in '" + address +
                                "' is not a number; use HOST:PORT, e.g. 127.0.0.1:9092");
  }
  if (port < 0 || port > 65535)
    throw std::invalid_argument("port in '" + address + "' must be 0-65535");
  return {host, port};
}

TcpServer::TcpServer(const std::string& host, int port, ConnectionFn on_connection)
    : on_connection_(std::move(on_connection)) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    throw std::runtime_error("cannot listen on '" + host +
                             "': give an IPv4 address such as 127.0.0.1");
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0)
    throw std::runtime_error(std::string("socket() failed: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    std::string why = std::strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error(
        "cannot listen on " + host + ":" + std::to_string(port) + ": " + why +
        " (is another broker already using this port? pick another with --listen)");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

TcpServer::~TcpServer() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void TcpServer::run() {
  while (!stopping_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    // A bounded wait lets stop() take effect even though it cannot interrupt accept().
    if (::poll(&pfd, 1, 200) <= 0) {
      reap_finished();
      continue;
    }
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char ip[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    std::string name = std::string(ip) + ":" + std::to_string(ntohs(peer.sin_port));

    std::lock_guard lock(mu_);
    auto& conn = connections_.emplace_back(std::make_unique<Connection>());
    conn->fd = fd;
    Connection* c = conn.get();
    c->thread = std::thread([this, c, name] {
      on_connection_(c->fd, name);
      c->done = true;
    });
  }
  std::list<std::unique_ptr<Connection>> remaining;
  {
    std::lock_guard lock(mu_);
    for (auto& c : connections_) ::shutdown(c->fd, SHUT_RDWR);
    remaining.swap(connections_);
  }
  for (auto& c : remaining) {
    c->thread.join();
    ::close(c->fd);
  }
}

void TcpServer::stop() {
  if (stopping_.exchange(true)) return;
  std::lock_guard lock(mu_);
  for (auto& c : connections_) ::shutdown(c->fd, SHUT_RDWR);
}

void TcpServer::reap_finished() {
  std::lock_guard lock(mu_);
  for (auto it = connections_.begin(); it != connections_.end();) {
    if ((*it)->done) {
      (*it)->thread.join();
      ::close((*it)->fd);
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace sluice::broker
