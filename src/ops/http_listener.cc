#include "ops/http_listener.h"

#include <fmt/format.h>
#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace sluice::ops {
namespace {

std::string advice_for(int err, const std::string& flag) {
  switch (err) {
    case EADDRINUSE:
      return "another process is listening there; choose another port (0 picks a free one)";
    case EACCES:
      return "ports below 1024 need privileges; choose a port above 1024";
    case EADDRNOTAVAIL:
      return "the address is not one of this machine's; use 127.0.0.1 or a local interface address";
    default:
      return "check the address given with " + flag;
  }
}

std::string bind_failure(const std::string& service, const std::string& flag,
                         const std::string& host, int port, int err) {
  std::string address = fmt::format("{}:{}", host, port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    return fmt::format(
        "{} cannot listen on {}: cannot resolve '{}' ({}); use an IP address such as 127.0.0.1",
        service, address, host, ::gai_strerror(rc));
  }
  ::freeaddrinfo(found);
  return fmt::format("{} cannot listen on {}: {}; {}", service, address,
                     err ? std::strerror(err) : "bind failed", advice_for(err, flag));
}

}  // namespace

void reuse_address_only(int sock) {
  int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

int bind_http(httplib::Server& http, const std::string& service, const std::string& flag,
              const std::string& host, int port) {
  if (port < 0 || port > 65535) {
    throw std::runtime_error(fmt::format(
        "{} cannot listen on {}:{}: port out of range; use 1-65535, or 0 for any free port",
        service, host, port));
  }
  errno = 0;
  int bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound < 0) throw std::runtime_error(bind_failure(service, flag, host, port, errno));
  return bound;
}

struct HttpListener::Impl {
  httplib::Server http;
  std::thread thread;
  int port = 0;
};

HttpListener::HttpListener(const std::string& service, const std::string& flag,
                           const std::string& host, int port, size_t max_body_bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->http.set_socket_options(reuse_address_only);
  // Set before binding (httplib applies it to the listening socket, which accepted
  // ones inherit): httplib writes an answer's headers and body separately, and with
  // Nagle's algorithm a small body waits for the client's delayed ACK of the
  // headers, about 40 ms on Linux, on every keep-alive request after the first few.
  impl_->http.set_tcp_nodelay(true);
  // A body is read whole before a handler sees it: without a bound, one
  // hostile request could take all memory.
  impl_->http.set_payload_max_length(max_body_bytes);
  impl_->port = bind_http(impl_->http, service, flag, host, port);
}

HttpListener::~HttpListener() {
  stop();
}

httplib::Server& HttpListener::http() {
  return impl_->http;
}

int HttpListener::port() const {
  return impl_->port;
}

void HttpListener::start() {
  impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
}

void HttpListener::stop() {
  if (!impl_->thread.joinable()) return;
  // httplib's stop() does nothing before the accept loop runs: give it a moment
  // to start (it has none to take unless it failed, when there is nothing to stop).
  for (int i = 0; i < 400 && !impl_->http.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  impl_->http.stop();
  impl_->thread.join();
}

}  // namespace sluice::ops
