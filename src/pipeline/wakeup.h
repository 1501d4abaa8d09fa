// One file descriptor the stage's poll thread sleeps on, written by everything
// that gives it work: the Kafka consumer's queue and the producer's main queue
// (io events, when they go from empty to non-empty) and worker threads finishing
// a batch. The poll thread therefore never sleeps on a fixed timeout while work
// is waiting, and never spins while there is none.
//
// Invariant: wait() clears the counter before the caller drains its sources, so
// a notification that arrives during draining makes the next wait() return
// at once — no wake-up is lost.
#pragma once

namespace sluice::pipeline {

class Wakeup {
 public:
  Wakeup();  // throws std::runtime_error if no eventfd can be created
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // For sources that write to it themselves (kafka::Consumer::notify(), Producer::notify()).
  int fd() const { return fd_; }
  void notify();
  // Sleeps until notified or timeout_ms passes, then clears pending notifications.
  void wait(int timeout_ms);

 private:
  int fd_ = -1;
};

}  // namespace sluice::pipeline
