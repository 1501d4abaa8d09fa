#include "serve/serve_http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace sluice::serve {
namespace {

// SO_REUSEADDR lets a restarted server rebind past TIME_WAIT; httplib's
// default SO_REUSEPORT would also let a second process share a busy port.
void reuse_address_only(socket_t sock) {
  int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

std::optional<std::string> header(const httplib::Request& req, const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

void send(httplib::Response& res, const ServeReply& reply) {
  res.status = reply.status;
  res.set_header("Cache-Control", reply.cache_control);
  res.set_content(reply.body, "application/json");
}

}  // namespace

struct ServeHttpServer::Impl {
  httplib::Server http;
  std::thread thread;
  int port = 0;
};

// The API takes no request bodies: anything beyond a small one is refused
// (413) before it is read, so a client cannot make the server hold large uploads.
constexpr size_t kMaxBodyBytes = 64 << 10;

ServeHttpServer::ServeHttpServer(const std::string& host, int port)
    : impl_(std::make_unique<Impl>()) {
  httplib::Server& http = impl_->http;
  http.set_socket_options(reuse_address_only);
  http.set_payload_max_length(kMaxBodyBytes);
  errno = 0;
  impl_->port =
      port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (impl_->port <= 0) {
    const int err = errno;
    throw std::runtime_error("sluice serve cannot listen on " + host + ":" + std::to_string(port) +
                             ": " + (err ? std::strerror(err) : "bind failed") +
                             "; choose a free local address with --listen HOST:PORT (port 0: any)");
  }
}

void ServeHttpServer::start(ServeApi& api) {
  httplib::Server& http = impl_->http;
  httplib::Server::Handler handler = [&api](const httplib::Request& req, httplib::Response& res) {
    ServeRequest r{.method = req.method,
                   .path = req.path,
                   .query = {},
                   .api_key = header(req, "X-API-Key"),
                   .authorization = header(req, "Authorization")};
    for (const auto& [k, v] : req.params) r.query[k] = v;
    send(res, api.handle(r));
  };
  const std::string any = ".*";
  http.Get(any, handler).Post(any, handler).Put(any, handler).Delete(any, handler);
  // What httplib refuses before routing (413, 400) is answered in the API's error JSON too.
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string message =
        res.status == 413 ? "the request body is too large; the query API takes no body"
                          : "the request could not be read (HTTP " + std::to_string(res.status) +
                                "); the query API answers GET requests without a body";
    send(res, {res.status,
               R"({"error":{"status":)" + std::to_string(res.status) + R"(,"message":")" + message +
                   R"("}})",
               "no-store"});
  });
  impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
}

ServeHttpServer::~ServeHttpServer() {
  stop();
}

int ServeHttpServer::port() const {
  return impl_->port;
}

void ServeHttpServer::stop() {
  if (!impl_->thread.joinable()) return;
  // httplib's stop() does nothing before the accept loop runs: give it a moment to start.
  for (int i = 0; i < 400 && !impl_->http.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  impl_->http.stop();
  impl_->thread.join();
}

}  // namespace sluice::serve
