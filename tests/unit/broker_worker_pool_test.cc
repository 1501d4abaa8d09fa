// The broker's worker pools: an elastic pool starts a thread per waiting task,
// up to its bound, and queues the rest until a thread frees up.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "broker/server/worker_pool.h"

namespace sluice::broker {
namespace {

// Tasks that wait until released, counting how many have started and finished.
class Gate {
 public:
  std::function<void()> task() {
    return [this] {
      std::unique_lock lock(mu_);
      ++started_;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
      ++finished_;
      cv_.notify_all();
    };
  }
  void wait_started(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return started_ >= n; });
  }
  void wait_finished(int n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return finished_ >= n; });
  }
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  int started() {
    std::lock_guard lock(mu_);
    return started_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int started_ = 0, finished_ = 0;
  bool open_ = false;
};

TEST(WorkerPool, ABoundedElasticPoolQueuesTasksBeyondItsBound) {
  std::atomic<int64_t> threads{0};
  WorkerPool pool({.fixed_threads = 0, .elastic = true, .max_threads = 2}, threads);
  Gate gate;
  for (int i = 0; i < 5; ++i) pool.submit(gate.task());
  gate.wait_started(2);
  EXPECT_EQ(threads.load(), 2);
  EXPECT_EQ(gate.started(), 2) << "the other three wait for a thread";
  EXPECT_EQ(pool.queued(), 3u);
  gate.open();
  gate.wait_finished(5);
  EXPECT_EQ(pool.queued(), 0u);
  pool.stop();
  EXPECT_EQ(threads.load(), 0);
}

TEST(WorkerPool, AnUnboundedElasticPoolStartsAThreadPerWaitingTask) {
  std::atomic<int64_t> threads{0};
  WorkerPool pool({.fixed_threads = 0, .elastic = true}, threads);
  Gate gate;
  for (int i = 0; i < 5; ++i) pool.submit(gate.task());
  gate.wait_started(5);
  EXPECT_EQ(threads.load(), 5);
  gate.open();
  gate.wait_finished(5);
  pool.stop();
}

}  // namespace
}  // namespace sluice::broker
