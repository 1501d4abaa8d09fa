// A local HTTP service's socket and accept thread over cpp-httplib, for the
// servers that are not the admin surface (the schema registry, the query API).
//
// Invariants: once the constructor returns the port is bound and listening, so
// a bad address fails at startup with a message saying what to do, never later
// on the background thread; the port is bound without SO_REUSEPORT, so two
// processes never silently share it; a request body over the limit is refused
// (413) before it is read; answers go out without Nagle's delay (TCP_NODELAY).
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace httplib {
class Server;
}

namespace sluice::ops {

// For httplib::Server::set_socket_options: SO_REUSEADDR lets a restarted
// process rebind past TIME_WAIT; httplib's default SO_REUSEPORT would also let
// a second process share a busy port.
void reuse_address_only(int sock);

// Binds `http` to host:port (0: any free port) and returns the port. Throws
// std::runtime_error naming `service`, the address, the reason and what to do;
// `flag` is the option that sets the address ("--listen HOST:PORT").
int bind_http(httplib::Server& http, const std::string& service, const std::string& flag,
              const std::string& host, int port);

class HttpListener {
 public:
  HttpListener(const std::string& service, const std::string& flag, const std::string& host,
               int port, size_t max_body_bytes);
  ~HttpListener();  // stops
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Where the owner adds its routes and error handler, before start().
  httplib::Server& http();
  int port() const;
  // Serves on a background thread; at most once.
  void start();
  void stop();  // idempotent

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::ops
