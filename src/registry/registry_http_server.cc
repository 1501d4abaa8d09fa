#include "registry/registry_http_server.h"

#include <httplib.h>

#include <string>

#include "ops/http_listener.h"

namespace sluice::registry {
namespace {

ApiRequest view_of(const httplib::Request& req) {
  ApiRequest r{.method = req.method, .path = req.target, .query = {}, .body = req.body};
  if (size_t q = r.path.find('?'); q != std::string::npos) r.path.resize(q);
  if (size_t q = req.target.find('?'); q != std::string::npos)
    r.raw_query = req.target.substr(q + 1);
  for (const auto& [k, v] : req.params) r.query[k] = v;
  r.forwarded = req.has_header(kForwardedHeader);
  return r;
}

}  // namespace

// The largest request body accepted: far above any real schema (Confluent's own
// schemas are kilobytes), far below what could exhaust the process.
constexpr size_t kMaxBodyBytes = 8 << 20;

struct RegistryHttpServer::Impl {
  Impl(const std::string& host, int port)
      : listener("registry", "--listen HOST:PORT (port 0: any)", host, port, kMaxBodyBytes) {}
  ops::HttpListener listener;
};

RegistryHttpServer::RegistryHttpServer(const std::string& host, int port)
    : impl_(std::make_unique<Impl>(host, port)) {}

void RegistryHttpServer::start(RegistryApi& api) {
  httplib::Server& http = impl_->listener.http();
  httplib::Server::Handler handler = [&api](const httplib::Request& req, httplib::Response& res) {
    ops::HttpReply reply = api.handle(view_of(req));
    res.status = reply.status;
    res.set_content(reply.body, reply.content_type.c_str());
  };
  const std::string any = ".*";
  http.Get(any, handler).Post(any, handler).Put(any, handler).Delete(any, handler);
  // What httplib refuses before routing (a body over kMaxBodyBytes: 413) is
  // still answered in Confluent's error JSON, as the API's own errors are.
  http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    const std::string message =
        res.status == 413
            ? "the request body is over " + std::to_string(kMaxBodyBytes >> 20) +
                  " MiB, the most this registry reads; a schema is kilobytes: "
                  "check what the client sends"
            : "the request could not be read (HTTP " + std::to_string(res.status) + ")";
    res.set_content(
        R"({"error_code":)" + std::to_string(res.status) + R"(,"message":")" + message + R"("})",
        "application/vnd.schemaregistry.v1+json");
  });
  impl_->listener.start();
}

RegistryHttpServer::~RegistryHttpServer() {
  stop();
}

int RegistryHttpServer::port() const {
  return impl_->listener.port();
}

void RegistryHttpServer::stop() {
  impl_->listener.stop();
}

}  // namespace sluice::registry
