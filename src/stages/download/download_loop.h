// The download stage's one libcurl event loop: a background thread owning a
// CURLM handle that runs every transfer of the stage, so many downloads are in
// flight without a thread each, and connections are reused across tasks.
//
// Invariants:
//  - perform() returns only once the loop is done with the easy handle (it is
//    out of the multi handle), so the caller may read its info and free it;
//    the handle's callbacks run on the loop thread, while the caller blocks;
//  - at most max_transfers transfers are in the multi handle, at most
//    max_per_host of them for one host:port (a slow host cannot take every
//    slot); the rest wait in a FIFO queue, each for its own host's turn;
//  - every transfer ends by its deadline: curl's own timeout normally fires,
//    but a transfer still queued (here, or in curl waiting for a connection)
//    is failed with CURLE_OPERATION_TIMEDOUT by the loop;
//  - destroying the loop fails every queued and in-flight transfer with
//    CURLE_ABORTED_BY_CALLBACK, and perform() refuses new ones the same way.
// Thread-safe: perform() may be called from any number of threads at once.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

namespace sluice::stages {

class DownloadLoop {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws std::runtime_error when libcurl cannot create the multi handle.
  DownloadLoop(int max_transfers, int max_per_host);
  ~DownloadLoop();
  DownloadLoop(const DownloadLoop&) = delete;
  DownloadLoop& operator=(const DownloadLoop&) = delete;

  struct Done {
    CURLcode code = CURLE_OK;  // what curl_easy_perform would have returned
    bool started = false;      // false: it never left the queue (deadline, or stopping)
  };

  // Runs the configured `easy` transfer on the loop and blocks until it ends.
  // `host` (e.g. "example.com:443") is the key of the per-host limit.
  // CURLOPT_SHARE, if set, must not be shared with another transfer in flight
  // (the loop thread uses it without locks).
  Done perform(CURL* easy, const std::string& host, Clock::time_point deadline);

 private:
  struct Job;

  void run();
  void admit();                        // queue -> multi, within the limits
  void finish_done();                  // completed transfers -> their callers
  void expire(Clock::time_point now);  // queued or stuck past their deadline
  int poll_timeout_ms();
  void release(const std::string& host);  // one fewer in flight for host
  void complete(const std::shared_ptr<Job>& job, CURLcode code, bool started);
  void abort_all();

  const size_t max_transfers_;
  const size_t max_per_host_;
  CURLM* multi_ = nullptr;

  std::mutex mu_;  // guards queue_ and stopping_; the rest is the loop thread's
  std::deque<std::shared_ptr<Job>> queue_;
  bool stopping_ = false;

  // Only the loop thread touches these.
  std::unordered_map<CURL*, std::shared_ptr<Job>> active_;
  std::map<std::string, size_t> active_per_host_;
  std::thread thread_;
};

}  // namespace sluice::stages
