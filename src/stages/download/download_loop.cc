#include "stages/download/download_loop.h"

#include <algorithm>
#include <condition_variable>
#include <stdexcept>
#include <vector>

namespace sluice::stages {

// One submitted transfer. Shared by the caller (waiting on `cv`) and the loop,
// so neither outlives the other's last touch, whatever order they finish in.
struct DownloadLoop::Job {
  CURL* easy = nullptr;
  std::string host;
  Clock::time_point deadline;

  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Done result;
};

DownloadLoop::DownloadLoop(int max_transfers, int max_per_host)
    : max_transfers_(size_t(std::max(1, max_transfers))),
      max_per_host_(size_t(std::max(1, max_per_host))) {
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("cannot create a curl multi handle");
  // Matches our own per-host admission, so curl never parks an admitted
  // transfer waiting for a connection while idle ones to the host are cached.
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, long(max_per_host_));
  thread_ = std::thread([this] { run(); });
}

DownloadLoop::~DownloadLoop() {
  {
    // Waking under the lock: no perform() can call curl_multi_wakeup after
    // this, so the multi handle is not in use when it is cleaned up below.
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    curl_multi_wakeup(multi_);
  }
  thread_.join();
  curl_multi_cleanup(multi_);
}

DownloadLoop::Done DownloadLoop::perform(CURL* easy, const std::string& host,
                                         Clock::time_point deadline) {
  auto job = std::make_shared<Job>();
  job->easy = easy;
  job->host = host;
  job->deadline = deadline;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return {CURLE_ABORTED_BY_CALLBACK, false};
    queue_.push_back(job);
    curl_multi_wakeup(multi_);
  }
  // Only the job is touched from here on, so the loop may be destroyed meanwhile.
  std::unique_lock<std::mutex> lock(job->mu);
  job->cv.wait(lock, [&] { return job->done; });
  return job->result;
}

void DownloadLoop::complete(const std::shared_ptr<Job>& job, CURLcode code, bool started) {
  std::lock_guard<std::mutex> lock(job->mu);
  job->done = true;
  job->result = {code, started};
  job->cv.notify_one();
}

void DownloadLoop::run() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) break;
    }
    admit();
    int running = 0;
    curl_multi_perform(multi_, &running);
    const size_t before = active_.size();
    finish_done();
    expire(Clock::now());
    // A freed slot may admit a queued transfer now, not after the next wake-up.
    if (active_.size() < before) continue;
    // Returns early on socket activity, curl's timers, or curl_multi_wakeup().
    curl_multi_poll(multi_, nullptr, 0, poll_timeout_ms(), nullptr);
  }
  abort_all();
}

void DownloadLoop::admit() {
  std::vector<std::shared_ptr<Job>> admitted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // FIFO, but a job whose host is at its limit lets later jobs for other hosts pass.
    for (auto it = queue_.begin();
         it != queue_.end() && active_.size() + admitted.size() < max_transfers_;) {
      size_t& n = active_per_host_[(*it)->host];
      if (n >= max_per_host_) {
        ++it;
        continue;
      }
      ++n;
      admitted.push_back(*it);
      it = queue_.erase(it);
    }
  }
  for (const auto& job : admitted) {
    active_[job->easy] = job;
    const CURLMcode rc = curl_multi_add_handle(multi_, job->easy);
    if (rc != CURLM_OK) {
      active_.erase(job->easy);
      release(job->host);
      complete(job, CURLE_FAILED_INIT, false);
    }
  }
}

void DownloadLoop::release(const std::string& host) {
  // Hosts with nothing in flight keep no counter, so the map stays small.
  auto it = active_per_host_.find(host);
  if (it != active_per_host_.end() && --it->second == 0) active_per_host_.erase(it);
}

void DownloadLoop::finish_done() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    const CURLcode code = msg->data.result;  // msg is invalid once the handle is removed
    curl_multi_remove_handle(multi_, easy);
    auto it = active_.find(easy);
    if (it == active_.end()) continue;
    std::shared_ptr<Job> job = std::move(it->second);
    active_.erase(it);
    release(job->host);
    complete(job, code, true);
  }
}

void DownloadLoop::expire(Clock::time_point now) {
  std::vector<std::shared_ptr<Job>> late;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto it = queue_.begin(); it != queue_.end();) {
      if ((*it)->deadline <= now) {
        late.push_back(*it);
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& job : late) complete(job, CURLE_OPERATION_TIMEDOUT, false);
  // In flight but past its deadline: curl's CURLOPT_TIMEOUT does not run for
  // a transfer it parked waiting for a connection, so the loop ends it.
  for (auto it = active_.begin(); it != active_.end();) {
    if (it->second->deadline > now) {
      ++it;
      continue;
    }
    std::shared_ptr<Job> job = std::move(it->second);
    it = active_.erase(it);
    curl_multi_remove_handle(multi_, job->easy);
    release(job->host);
    complete(job, CURLE_OPERATION_TIMEDOUT, true);
  }
}

int DownloadLoop::poll_timeout_ms() {
  long curl_ms = -1;
  curl_multi_timeout(multi_, &curl_ms);
  // A second at most even when idle, so a missed wake-up costs little.
  int64_t ms = curl_ms >= 0 ? std::min<int64_t>(curl_ms, 1000) : 1000;
  const Clock::time_point now = Clock::now();
  auto until = [&](Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    ms = std::min<int64_t>(ms, std::max<int64_t>(0, left.count() + 1));
  };
  for (const auto& [easy, job] : active_) until(job->deadline);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& job : queue_) until(job->deadline);
  return int(ms);
}

void DownloadLoop::abort_all() {
  for (auto& [easy, job] : active_) {
    curl_multi_remove_handle(multi_, easy);
    complete(job, CURLE_ABORTED_BY_CALLBACK, true);
  }
  active_.clear();
  active_per_host_.clear();
  std::deque<std::shared_ptr<Job>> queued;
  {
    std::lock_guard<std::mutex> lock(mu_);
    queued.swap(queue_);
  }
  for (const auto& job : queued) complete(job, CURLE_ABORTED_BY_CALLBACK, false);
}

}  // namespace sluice::stages
