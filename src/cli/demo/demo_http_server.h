// The loopback HTTP server that serves the demo's attachments, each the way
// its plan says: the file, a 404, two 503s then the file, the file after 2 s,
// no answer at all, an oversized stream, HTML instead of a PDF, or a 302 to a
// private address.
//
// Invariant: a request is answered from the plan alone (DemoPlan::event of the
// claim in the URL) — the only state kept is how often each 503-burst file was
// asked for. Every connection gets its own thread, so hanging and slow answers
// never hold up good downloads; stop() wakes the sleepers and returns once all
// connection threads are gone.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "cli/demo/demo_plan.h"

namespace sluice::cli::demo {

struct ServerOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT; port 0 lets the kernel choose
  int64_t oversize_bytes = 60LL << 20;
  int64_t slow_ms = 2000;
  int64_t hang_ms = 120'000;  // then the connection is dropped without a complete answer
};

class AttachmentServer {
 public:
  // Binds and starts serving; throws std::runtime_error when the address cannot be bound.
  AttachmentServer(const DemoPlan& plan, ServerOptions options);
  ~AttachmentServer();
  AttachmentServer(const AttachmentServer&) = delete;
  AttachmentServer& operator=(const AttachmentServer&) = delete;

  int port() const { return port_; }
  const std::string& base_url() const { return base_url_; }  // http://HOST:PORT
  // Events numbered below `n` have been produced; later ones answer 404.
  void publish_up_to(int64_t n) { published_.store(n); }
  int64_t requests() const { return requests_.load(); }
  void stop();

 private:
  void handle(const std::string& claim_id, int index, httplib::Response& res);
  void serve_pdf(const AttachmentPlan& a, httplib::Response& res);
  bool pause_ms(int64_t ms) const;  // false when stop() interrupted it
  int count_request(const std::string& file);

  const DemoPlan& plan_;
  ServerOptions options_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string base_url_;
  std::atomic<bool> stopping_{false};
  // Slow and hanging answers wait on this rather than polling: a long run holds
  // thousands of hanging requests (each retried), and 20 wake-ups a second each
  // cost the demo source most of a core and starved the pipeline it feeds.
  mutable std::mutex stop_mu_;
  mutable std::condition_variable stop_cv_;
  std::atomic<int64_t> published_{0};
  std::atomic<int64_t> requests_{0};
  std::mutex mu_;
  std::map<std::string, int> asked_;  // 503-burst files: requests so far
};

}  // namespace sluice::cli::demo
