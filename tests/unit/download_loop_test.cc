// The download stage's event loop against a real HTTP server on loopback:
// many transfers are in flight at once (the server sees them overlap, which
// is asserted instead of any timing), the limits cap them, late ones end at
// their deadline, stopping fails those in flight, and fetch() reuses
// connections. The server parks each request until released or 200 ms pass.
#include "stages/download/download_loop.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "stages/download/download_client.h"
#include "stages/download/download_sha256.h"
#include "stages/download/download_ssrf_guard.h"
#include "stages/download/download_url.h"

namespace sluice::stages {
namespace {

using std::chrono::milliseconds;

class SlowServer {
 public:
  explicit SlowServer(milliseconds hold = milliseconds(200)) : hold_(hold) {
    // The default pool (8 threads here) would itself cap the overlap seen.
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server_.set_keep_alive_timeout(1);
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      const int now = ++active_;
      for (int seen = max_active_; now > seen && !max_active_.compare_exchange_weak(seen, now);) {
      }
      {
        std::unique_lock<std::mutex> lock(mu_);
        ++requests_;
        ports_.insert(req.remote_port);
        arrived_.notify_all();
        released_.wait_for(lock, hold_, [this] { return release_; });
      }
      --active_;  // before the response is sent, so overlap never over-counts
      res.set_content("ok:" + req.path, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~SlowServer() {
    release();
    server_.stop();
    thread_.join();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }
  int max_active() const { return max_active_; }
  size_t connections() {
    std::lock_guard<std::mutex> lock(mu_);
    return ports_.size();
  }
  bool wait_for_requests(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return arrived_.wait_for(lock, std::chrono::seconds(30), [&] { return requests_ >= n; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    release_ = true;
    released_.notify_all();
  }

 private:
  const milliseconds hold_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> active_{0};
  std::atomic<int> max_active_{0};
  std::mutex mu_;
  std::condition_variable arrived_, released_;
  int requests_ = 0;
  bool release_ = false;
  std::set<int> ports_;
};

size_t keep_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

struct Outcome {
  CURLcode code = CURLE_FAILED_INIT;
  bool started = false;
  long status = 0;
  std::string body;
};

Outcome get(DownloadLoop& loop, const std::string& url,
            milliseconds timeout = milliseconds(30000)) {
  Outcome o;
  CURL* easy = curl_easy_init();
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, keep_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &o.body);
  const DownloadLoop::Done done =
      loop.perform(easy, "127.0.0.1", DownloadLoop::Clock::now() + timeout);
  o.code = done.code;
  o.started = done.started;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &o.status);
  curl_easy_cleanup(easy);
  return o;
}

// n transfers from n threads at once; returns what each got.
std::vector<Outcome> get_all(DownloadLoop& loop, const SlowServer& server, int n) {
  std::vector<Outcome> got(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back(
        [&, i] { got[size_t(i)] = get(loop, server.url("/f" + std::to_string(i))); });
  for (auto& t : threads) t.join();
  return got;
}

class DownloadLoopTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { download_curl_global_init(); }
};

TEST_F(DownloadLoopTest, RunsManyTransfersAtOnce) {
  SlowServer server;
  DownloadLoop loop(64, 64);
  const auto got = get_all(loop, server, 50);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].code, CURLE_OK) << curl_easy_strerror(got[i].code);
    EXPECT_EQ(got[i].status, 200);
    EXPECT_EQ(got[i].body, "ok:/f" + std::to_string(i)) << "each caller gets its own body";
  }
  EXPECT_GT(server.max_active(), 1) << "transfers overlapped on the one loop thread";
}

TEST_F(DownloadLoopTest, CapsTransfersInFlightAndPerHost) {
  SlowServer server;
  {
    DownloadLoop loop(3, 16);
    for (const auto& o : get_all(loop, server, 12)) EXPECT_EQ(o.code, CURLE_OK);
  }
  EXPECT_LE(server.max_active(), 3) << "max_transfers";
  SlowServer other;
  {
    DownloadLoop loop(64, 2);
    for (const auto& o : get_all(loop, other, 12)) EXPECT_EQ(o.code, CURLE_OK);
  }
  EXPECT_LE(other.max_active(), 2) << "max_transfers_per_host";
}

TEST_F(DownloadLoopTest, QueuedTransferEndsAtItsDeadline) {
  SlowServer server(milliseconds(30000));  // held until released
  DownloadLoop loop(1, 1);
  std::thread first([&] { EXPECT_EQ(get(loop, server.url("/first")).code, CURLE_OK); });
  ASSERT_TRUE(server.wait_for_requests(1));
  // The only slot is taken until release(): this one waits in the queue past its deadline.
  const Outcome second = get(loop, server.url("/second"), milliseconds(100));
  EXPECT_EQ(second.code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_FALSE(second.started) << "it never had a slot";
  server.release();
  first.join();
}

TEST_F(DownloadLoopTest, StoppingFailsTransfersInFlight) {
  SlowServer server(milliseconds(30000));
  auto loop = std::make_unique<DownloadLoop>(64, 64);
  std::vector<CURLcode> codes(4, CURLE_OK);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < codes.size(); ++i)
    threads.emplace_back([&, i] { codes[i] = get(*loop, server.url("/stuck")).code; });
  ASSERT_TRUE(server.wait_for_requests(int(codes.size())));
  loop.reset();  // every caller is blocked inside perform() by now
  for (auto& t : threads) t.join();
  for (CURLcode c : codes) EXPECT_EQ(c, CURLE_ABORTED_BY_CALLBACK);
}

TEST_F(DownloadLoopTest, FetchPinsHashesAndReusesConnections) {
  SlowServer server(milliseconds(0));
  DownloadLoop loop(64, 16);
  AddressPolicy policy;
  policy.allowed = {*parse_cidr("127.0.0.1/32"), *parse_cidr("::1/128")};
  for (int i = 0; i < 3; ++i) {
    FetchRequest req;
    req.url = parse_download_url("http://localhost:" + std::to_string(server.port()) + "/a.txt");
    const VettedHost vetted = vet_host(req.url.host, policy);
    ASSERT_EQ(vetted.kind, VettedHost::kOk) << vetted.error;
    req.addresses = vetted.addresses;
    req.policy = &policy;
    req.max_bytes = 1 << 20;
    const FetchResult r = fetch(loop, req);
    ASSERT_EQ(r.kind, FetchResult::kBody) << r.error;
    EXPECT_EQ(r.body, "ok:/a.txt");
    Sha256 h;
    h.update(r.body.data(), r.body.size());
    EXPECT_EQ(r.sha256, h.hex());
  }
  EXPECT_EQ(server.connections(), 1u) << "one kept-alive connection served every fetch";
}

}  // namespace
}  // namespace sluice::stages
