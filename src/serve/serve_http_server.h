// Serves a ServeApi over HTTP (cpp-httplib): every GET goes to ServeApi::handle
// with the decoded path and query and the two key headers; the reply's
// Cache-Control is sent as is.
//
// Invariant: once the constructor returns the port is bound and listening — a
// bad --listen fails at startup with a message saying what to do. As the
// registry's server, it binds without SO_REUSEPORT, so two servers never share a port.
#pragma once

#include <memory>
#include <string>

#include "serve/serve_api.h"

namespace sluice::serve {

class ServeHttpServer {
 public:
  // Binds (port 0: any free port; port() tells which) without serving yet.
  // Throws std::runtime_error naming the address and what to do.
  ServeHttpServer(const std::string& host, int port);
  ~ServeHttpServer();  // stops
  ServeHttpServer(const ServeHttpServer&) = delete;
  ServeHttpServer& operator=(const ServeHttpServer&) = delete;

  int port() const;
  // Serves `api` (which must outlive the server) on background threads; once.
  void start(ServeApi& api);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::serve
