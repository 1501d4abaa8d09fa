// Serves the admin Router over cpp-httplib on one background accept thread and
// a small worker pool (scrapes and probes are light).
//
// httplib::Server::stop() does nothing until the accept loop has started, so a
// stop() racing start() could hang; instead the listening socket is closed
// directly, which ends the loop whether it is running, about to run, or never
// will. Keep-alive is capped at one second so stop() returns promptly.
#include "ops/admin_server.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "common/log.h"
#include "ops/admin_request_guard.h"
#include "ops/http_listener.h"

namespace sluice::ops {
namespace {

constexpr size_t kWorkerThreads = 4;
constexpr time_t kKeepAliveSeconds = 1;

class Listener : public httplib::Server {
 public:
  ~Listener() override { close_listener(); }

  void close_listener() {
    socket_t sock = svr_sock_.exchange(INVALID_SOCKET);
    if (sock == INVALID_SOCKET) return;
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
  }

  // Runs the accept loop until close_listener(); false if accept failed on its own.
  bool serve() {
    if (listen_after_bind()) return true;
    svr_sock_ = INVALID_SOCKET;  // httplib has closed it already
    return false;
  }
};

AdminRequest guarded_view(const httplib::Request& req) {
  return {.method = req.method,
          .host = req.get_header_value("Host"),
          .origin = req.get_header_value("Origin"),
          .fetch_site = req.get_header_value("Sec-Fetch-Site"),
          .authorization = req.get_header_value("Authorization"),
          .content_type = req.get_header_value("Content-Type"),
          .body = &req.body};
}

// `token` is read per request: require_token() may run after the routes exist.
void route_everything_to(Listener& http, const Router& router, const std::string& token) {
  httplib::Server::Handler handler = [&router, &token](const httplib::Request& req,
                                                       httplib::Response& res) {
    std::optional<HttpReply> refused = refuse_admin_request(guarded_view(req), token);
    HttpReply reply = refused ? *refused : router.dispatch(req.method, req.path, req.body);
    if (refused) {
      // Not the path: it is the client's text, and a log line is not the place for it raw.
      log::warn("admin", "refused a {} from {}: HTTP {}", req.method, req.remote_addr,
                reply.status);
      if (reply.status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"sluice-admin\"");
    }
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type.c_str());
  };
  const std::string any = ".*";
  http.Get(any, handler)
      .Post(any, handler)
      .Put(any, handler)
      .Patch(any, handler)
      .Delete(any, handler);
  http.Options(any, handler);
}

HttpReply health_reply(const std::function<HealthStatus()>& check) {
  HealthStatus status{.ok = false, .detail = {}};
  try {
    status = check();
  } catch (const std::exception& e) {
    status = {.ok = false, .detail = std::string("check failed: ") + e.what()};
  }
  std::string body = status.ok ? "ok\n" : "fail\n";
  body += status.detail;
  if (!status.detail.empty() && status.detail.back() != '\n') body += '\n';
  return {.status = status.ok ? 200 : 503, .body = std::move(body)};
}

HealthStatus always_ok() {
  return {.ok = true};
}

}  // namespace

struct AdminServer::Impl {
  Router router;      // declared first: outlives the server that dispatches to it
  std::string token;  // set before start(); read by request threads after it
  bool has_post_routes = false;
  Listener http;
  std::string host;
  int port = 0;
  bool started = false;
  std::thread thread;
};

AdminServer::AdminServer(const std::string& host, int port, MetricsRegistry& metrics)
    : impl_(std::make_unique<Impl>()) {
  Listener& http = impl_->http;
  http.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  http.set_keep_alive_timeout(kKeepAliveSeconds);
  http.set_socket_options(reuse_address_only);
  route_everything_to(http, impl_->router, impl_->token);
  impl_->host = host;
  impl_->port = bind_http(http, "admin server", "--admin HOST:PORT", host, port);
  get("/metrics", [&metrics] {
    return Reply{.body = metrics.render(), .content_type = "text/plain; version=0.0.4"};
  });
  set_liveness(always_ok);
  set_readiness(always_ok);
}

AdminServer::~AdminServer() {
  stop();
}

void AdminServer::set_liveness(std::function<HealthStatus()> fn) {
  get("/healthz", [fn = std::move(fn)] { return health_reply(fn); });
}

void AdminServer::set_readiness(std::function<HealthStatus()> fn) {
  get("/readyz", [fn = std::move(fn)] { return health_reply(fn); });
}

void AdminServer::get(const std::string& path, std::function<Reply()> fn) {
  impl_->router.get(path, std::move(fn));
}

void AdminServer::post(const std::string& path, std::function<Reply(const std::string& body)> fn) {
  impl_->has_post_routes = true;
  impl_->router.post(path, std::move(fn));
}

void AdminServer::require_token(std::string token) {
  if (impl_->started) throw std::logic_error("AdminServer::require_token called after start");
  impl_->token = std::move(token);
}

void AdminServer::start() {
  if (impl_->started) throw std::logic_error("AdminServer::start called twice");
  impl_->started = true;
  impl_->thread = std::thread([impl = impl_.get()] {
    if (!impl->http.serve())
      log::error("admin", "admin server on {}:{} stopped accepting connections", impl->host,
                 impl->port);
  });
  log::info("admin", "serving /metrics /healthz /readyz on http://{}:{}{}", impl_->host,
            impl_->port, impl_->token.empty() ? "" : " (commands need the admin token)");
  if (impl_->has_post_routes && impl_->token.empty() && !is_loopback_host(impl_->host)) {
    log::warn("admin",
              "the admin endpoint http://{}:{} is reachable from other machines and its commands "
              "(pause, resume, breakers) take no token: anyone who can reach it can pause this "
              "stage. Set a token (--admin-token-file FILE or SLUICE_ADMIN_TOKEN) or listen on "
              "127.0.0.1",
              impl_->host, impl_->port);
  }
}

void AdminServer::stop() {
  impl_->http.close_listener();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int AdminServer::port() const {
  return impl_->port;
}

}  // namespace sluice::ops
