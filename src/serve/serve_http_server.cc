#include "serve/serve_http_server.h"

#include <httplib.h>

#include <string>

#include "ops/http_listener.h"

namespace sluice::serve {
namespace {

std::optional<std::string> header(const httplib::Request& req, const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

void send(httplib::Response& res, const ServeReply& reply) {
  res.status = reply.status;
  res.set_header("Cache-Control", reply.cache_control);
  res.set_content(reply.body, reply.content_type);
}

}  // namespace

// The API takes no request bodies: anything beyond a small one is refused
// (413) before it is read, so a client cannot make the server hold large uploads.
constexpr size_t kMaxBodyBytes = 64 << 10;

struct ServeHttpServer::Impl {
  Impl(const std::string& host, int port)
      : listener("sluice serve", "--listen HOST:PORT (port 0: any)", host, port, kMaxBodyBytes) {}
  ops::HttpListener listener;
};

ServeHttpServer::ServeHttpServer(const std::string& host, int port)
    : impl_(std::make_unique<Impl>(host, port)) {}

void ServeHttpServer::start(ServeApi& api) {
  httplib::Server& http = impl_->listener.http();
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
  impl_->listener.start();
}

ServeHttpServer::~ServeHttpServer() {
  stop();
}

int ServeHttpServer::port() const {
  return impl_->listener.port();
}

void ServeHttpServer::stop() {
  impl_->listener.stop();
}

}  // namespace sluice::serve
