#include "broker/server/worker_pool.h"

#include <algorithm>

namespace sluice::broker {

WorkerPool::WorkerPool(Shape shape, std::atomic<int64_t>& threads_gauge)
    : shape_(shape), threads_gauge_(threads_gauge) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < shape_.fixed_threads; ++i) start_thread(true);
}

WorkerPool::~WorkerPool() {
  stop();
}

void WorkerPool::start_thread(bool fixed) {
  threads_gauge_.fetch_add(1, std::memory_order_relaxed);
  threads_.emplace_back([this, fixed] { work(fixed); });
}

void WorkerPool::submit(std::function<void()> task) {
  std::lock_guard lock(mu_);
  tasks_.push_back(std::move(task));
  join_exited();
  const bool below_bound = shape_.max_threads == 0 || threads_.size() < shape_.max_threads;
  if (shape_.elastic && idle_ < tasks_.size() && below_bound) start_thread(false);
  cv_.notify_one();
}

size_t WorkerPool::queued() const {
  std::lock_guard lock(mu_);
  return tasks_.size() > idle_ ? tasks_.size() - idle_ : 0;
}

void WorkerPool::work(bool fixed) {
  std::unique_lock lock(mu_);
  for (;;) {
    ++idle_;
    bool woke = cv_.wait_for(lock, std::chrono::milliseconds(shape_.idle_exit_ms),
                             [&] { return stopping_ || !tasks_.empty(); });
    --idle_;
    if (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
      continue;
    }
    if (stopping_ || (!woke && !fixed)) break;
  }
  exited_.push_back(std::this_thread::get_id());
  threads_gauge_.fetch_sub(1, std::memory_order_relaxed);
}

// An exited elastic thread is joined by the next submit(), so its stack is freed
// without a reaper thread.
void WorkerPool::join_exited() {
  for (auto id : exited_) {
    auto it = std::find_if(threads_.begin(), threads_.end(),
                           [&](const std::thread& t) { return t.get_id() == id; });
    if (it == threads_.end()) continue;
    it->join();
    threads_.erase(it);
  }
  exited_.clear();
}

void WorkerPool::stop() {
  std::list<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

}  // namespace sluice::broker
