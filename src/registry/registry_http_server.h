// Serves a RegistryApi over HTTP (cpp-httplib): every method and path goes to
// RegistryApi::handle with the path as sent (still percent-encoded, so a
// subject holding "/" stays one segment), the decoded query and the body.
//
// Invariant: once the constructor returns the port is bound and listening — a
// bad --listen fails at startup with a message saying what to do. The port is
// bound without SO_REUSEPORT, so two registries can never share one port.
#pragma once

#include <memory>
#include <string>

#include "registry/registry_api.h"

namespace sluice::registry {

class RegistryHttpServer {
 public:
  // Binds (port 0: any free port; port() tells which) without serving yet.
  // Throws std::runtime_error naming the address and what to do.
  RegistryHttpServer(const std::string& host, int port);
  ~RegistryHttpServer();  // stops
  RegistryHttpServer(const RegistryHttpServer&) = delete;
  RegistryHttpServer& operator=(const RegistryHttpServer&) = delete;

  int port() const;
  // Serves `api` (which must outlive the server) on a background thread; once.
  void start(RegistryApi& api);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::registry
