#include "registry/registry_http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace sluice::registry {
namespace {

// SO_REUSEADDR lets a restarted registry rebind past TIME_WAIT; httplib's
// default SO_REUSEPORT would also let a second process share a busy port.
void reuse_address_only(socket_t sock) {
  int yes = 1;
  ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

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

struct RegistryHttpServer::Impl {
  httplib::Server http;
  std::thread thread;
  int port = 0;
};

// The largest request body accepted: far above any real schema (Confluent's own
// schemas are kilobytes), far below what could exhaust the process.
constexpr size_t kMaxBodyBytes = 8 << 20;

RegistryHttpServer::RegistryHttpServer(const std::string& host, int port)
    : impl_(std::make_unique<Impl>()) {
  httplib::Server& http = impl_->http;
  http.set_socket_options(reuse_address_only);
  // A body is read whole before the API sees it: without a bound, one hostile
  // request could take all memory. Confluent's registry refuses large schemas
  // too; 413 (httplib's answer) tells the client what was wrong.
  http.set_payload_max_length(kMaxBodyBytes);
  errno = 0;
  impl_->port =
      port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (impl_->port <= 0) {
    const int err = errno;
    throw std::runtime_error("registry cannot listen on " + host + ":" + std::to_string(port) +
                             ": " + (err ? std::strerror(err) : "bind failed") +
                             "; choose a free local address with --listen HOST:PORT (port 0: any)");
  }
}

void RegistryHttpServer::start(RegistryApi& api) {
  httplib::Server& http = impl_->http;
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
  impl_->thread = std::thread([this] { impl_->http.listen_after_bind(); });
}

RegistryHttpServer::~RegistryHttpServer() {
  stop();
}

int RegistryHttpServer::port() const {
  return impl_->port;
}

void RegistryHttpServer::stop() {
  if (!impl_->thread.joinable()) return;
  // httplib's stop() does nothing before the accept loop runs: give it a moment
  // to start (it has none to take unless it failed, when there is nothing to stop).
  for (int i = 0; i < 400 && !impl_->http.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  impl_->http.stop();
  impl_->thread.join();
}

}  // namespace sluice::registry
