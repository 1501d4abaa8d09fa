// Threads that run request handlers off the I/O thread.
//
// A fixed pool (num.io.threads) keeps its threads for life. An elastic pool
// starts with none, starts a thread whenever a task arrives and every thread
// is busy, and lets a thread that found no work for `idle_exit_ms` exit: it
// serves the few calls that block inside the group coordinator (JoinGroup,
// SyncGroup), so such a call never holds a fixed worker, and an idle broker
// holds no elastic thread. An elastic pool may be bounded: at its bound, tasks
// wait in the queue for a thread to free up. Tasks run in submission order per
// free thread; no task is dropped before stop(), which waits for every started task.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include "broker/server/connection_stats.h"

namespace sluice::broker {

class WorkerPool {
 public:
  struct Shape {
    size_t fixed_threads = 0;  // started at once, live until stop()
    bool elastic = false;      // more threads on demand
    size_t max_threads = 0;    // elastic: at most this many (0: no bound); others queue
    int64_t idle_exit_ms = 30'000;
  };
  // `threads_gauge` counts this pool's live threads (shared with other pools).
  WorkerPool(Shape shape, std::atomic<int64_t>& threads_gauge);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(std::function<void()> task);
  // Tasks waiting for a thread (an elastic pool at its bound, or a busy fixed one).
  size_t queued() const;
  // Runs every task already submitted, then joins all threads.
  void stop();

 private:
  void start_thread(bool fixed);  // mu_ held
  void work(bool fixed);
  void join_exited();  // mu_ held

  Shape shape_;
  std::atomic<int64_t>& threads_gauge_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  size_t idle_ = 0;
  bool stopping_ = false;
  std::list<std::thread> threads_;
  std::list<std::thread::id> exited_;
};

}  // namespace sluice::broker
