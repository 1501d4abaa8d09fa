// One file descriptor the stage's poll thread sleeps on, written by everything
// that gives it work: librdkafka's consumer queue and producer main queue (via
// io events, when they go from empty to non-empty) and worker threads finishing
// a batch. The poll thread therefore never sleeps on a fixed timeout while work
// is waiting, and never spins while there is none.
//
// Invariant: wait() clears the counter before the caller drains its sources, so
// a notification that arrives during draining makes the next wait() return
// at once — no wake-up is lost.
#pragma once

#include <librdkafka/rdkafka.h>

namespace sluice::pipeline {

class Wakeup {
 public:
  Wakeup();  // throws std::runtime_error if no eventfd can be created
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // Makes `queue` notify this object whenever it becomes non-empty.
  void watch(rd_kafka_queue_t* queue);
  void notify();
  // Sleeps until notified or timeout_ms passes, then clears pending notifications.
  void wait(int timeout_ms);

 private:
  int fd_ = -1;
};

}  // namespace sluice::pipeline
