#include "cli/demo/demo_http_server.h"

#include <chrono>
#include <condition_variable>
#include <stdexcept>

#include "cli/demo/demo_files.h"

namespace sluice::cli::demo {
namespace {

// One thread per connection (httplib's pool would queue good downloads behind hanging ones).
class ThreadPerConnection : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mu_);
      ++active_;
    }
    std::thread([this, fn = std::move(fn)] {
      fn();
      std::lock_guard lock(mu_);
      if (--active_ == 0) idle_.notify_all();
    }).detach();
  }
  void shutdown() override {
    std::unique_lock lock(mu_);
    idle_.wait(lock, [&] { return active_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable idle_;
  int active_ = 0;
};

std::pair<std::string, int> split_listen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  try {
    if (colon != std::string::npos && colon > 0) {
      size_t used = 0;
      int port = std::stoi(listen.substr(colon + 1), &used);
      if (used == listen.size() - colon - 1 && port >= 0 && port <= 65535)
        return {listen.substr(0, colon), port};
    }
  } catch (const std::exception&) {
  }
  throw std::invalid_argument("--http '" + listen +
                              "' must be HOST:PORT, e.g. 127.0.0.1:0 (0: any free port)");
}

}  // namespace

AttachmentServer::AttachmentServer(const DemoPlan& plan, ServerOptions options)
    : plan_(plan), options_(std::move(options)) {
  auto [host, port] = split_listen(options_.listen);
  server_.new_task_queue = [] { return new ThreadPerConnection(); };
  server_.set_keep_alive_timeout(2);
  server_.Get(R"(/files/(C-[0-9]+)/([0-9]+)\.pdf)",
              [this](const httplib::Request& req, httplib::Response& res) {
                requests_ += 1;
                handle(req.matches[1].str(), std::stoi(req.matches[2].str()), res);
              });
  port_ =
      port == 0 ? server_.bind_to_any_port(host) : (server_.bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) {
    throw std::runtime_error(
        "cannot listen for HTTP on " + options_.listen +
        " (address in use or not local?); choose another with --http HOST:PORT");
  }
  base_url_ = "http://" + (host == "0.0.0.0" ? std::string("127.0.0.1") : host) + ":" +
              std::to_string(port_);
  thread_ = std::thread([this] { server_.listen_after_bind(); });
}

AttachmentServer::~AttachmentServer() {
  stop();
}

void AttachmentServer::stop() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

bool AttachmentServer::pause_ms(int64_t ms) const {
  std::unique_lock lock(stop_mu_);
  return !stop_cv_.wait_for(lock, std::chrono::milliseconds(ms),
                            [this] { return stopping_.load(); });
}

int AttachmentServer::count_request(const std::string& file) {
  std::lock_guard lock(mu_);
  return ++asked_[file];
}

void AttachmentServer::serve_pdf(const AttachmentPlan& a, httplib::Response& res) {
  res.set_content(pdf_file(a.content, a.size), kPdfType);
}

void AttachmentServer::handle(const std::string& claim_id, int index, httplib::Response& res) {
  int64_t number = plan_.number_of(claim_id);
  if (number < 0 || number >= published_.load()) {
    res.status = 404;
    res.set_content("no such claim in this demo run\n", "text/plain");
    return;
  }
  EventPlan event = plan_.event(number);
  if (index < 0 || size_t(index) >= event.attachments.size()) {
    res.status = 404;
    res.set_content("the claim has no attachment " + std::to_string(index) + "\n", "text/plain");
    return;
  }
  const AttachmentPlan& a = event.attachments[size_t(index)];
  switch (a.behaviour) {
    case Behaviour::kServe:
    case Behaviour::kUnreachable:  // only its host name is wrong: served once allowed
      return serve_pdf(a, res);
    case Behaviour::kNotFound:
      res.status = 404;
      res.set_content("attachment not found\n", "text/plain");
      return;
    case Behaviour::kUnavailableBurst:
      if (count_request(claim_id + "/" + std::to_string(index)) <= 2) {
        res.status = 503;
        res.set_header("Retry-After", "1");
        res.set_content("temporarily unavailable, try again\n", "text/plain");
        return;
      }
      return serve_pdf(a, res);
    case Behaviour::kSlow:
      if (pause_ms(options_.slow_ms)) serve_pdf(a, res);
      return;
    case Behaviour::kHang:
      pause_ms(options_.hang_ms);
      // Headers promise a body that never comes: the connection is dropped.
      res.set_content_provider(1, kPdfType,
                               [](size_t, size_t, httplib::DataSink&) { return false; });
      return;
    case Behaviour::kOversized:
      res.set_content_provider(size_t(options_.oversize_bytes), kPdfType,
                               [this, content = a.content, size = options_.oversize_bytes](
                                   size_t offset, size_t length, httplib::DataSink& sink) {
                                 if (stopping_) return false;
                                 std::string chunk;
                                 append_pdf_bytes(content, size, int64_t(offset),
                                                  std::min<size_t>(length, 64 << 10), chunk);
                                 return sink.write(chunk.data(), chunk.size());
                               });
      return;
    case Behaviour::kWrongContentType:
      res.set_content(
          "<!doctype html><html><body><h1>Sign in to view this document</h1></body></html>\n",
          "text/html; charset=utf-8");
      return;
    case Behaviour::kRedirectPrivateNetwork:
      res.set_redirect("http://10.0.0.1/x", 302);
      return;
    case Behaviour::kRedirectMetadata:
      res.set_redirect("http://169.254.169.254/latest/meta-data/", 302);
      return;
  }
}

}  // namespace sluice::cli::demo
