// The ops surface every sluice process serves (`--admin HOST:PORT`):
// GET /metrics (Prometheus text), GET /healthz, GET /readyz, plus routes the
// owner adds (POST /pause, POST /resume, GET /status, ...).
//
// Mutating requests (every method but GET and HEAD) pass admin_request_guard.h
// first: same origin, the bearer token when one is set, a JSON body. The
// read-only routes stay open.
//
// Invariant: once the constructor returns, the port is bound and listening —
// a bad address fails at startup with a message saying what to do, never later
// on the background thread. The port is bound without SO_REUSEPORT, so two
// processes can never silently share one admin port.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "ops/metrics.h"
#include "ops/router.h"

namespace sluice::ops {

struct HealthStatus {
  bool ok;
  std::string detail;  // one line per check, human-readable
};

class AdminServer {
 public:
  using Reply = HttpReply;  // {status, body, content_type}

  // Binds host:port (port 0 = any free port; port() tells which). Throws
  // std::runtime_error naming the address, the reason and what to do when it
  // cannot bind. `metrics` must outlive the server.
  AdminServer(const std::string& host, int port, MetricsRegistry& metrics);
  ~AdminServer();  // stops
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // GET /healthz and GET /readyz: 200 "ok\n<detail>" or 503 "fail\n<detail>".
  // A check that throws counts as failing. Both default to ok.
  void set_liveness(std::function<HealthStatus()> fn);
  void set_readiness(std::function<HealthStatus()> fn);

  // Extra exact-path routes; may be added before or after start().
  void get(const std::string& path, std::function<Reply()> fn);
  void post(const std::string& path, std::function<Reply(const std::string& body)> fn);

  // Mutating requests need `Authorization: Bearer <token>` from now on
  // (empty: none needed). Set it before start().
  void require_token(std::string token);

  // Serves on a background thread; at most once. Warns when the address is
  // reachable from other machines and POST routes take no token.
  void start();
  void stop();  // idempotent; waits for in-flight requests (at most ~1 s of keep-alive)
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::ops
