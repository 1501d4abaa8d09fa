// Wakes a consumer's broker threads after its prefetch queue ran dry.
//
// Why: librdkafka before 2.4 takes every partition off its fetch list once the
// consumer queue holds queued.max.messages.kbytes, and looks at them again only
// when the leader's broker thread next wakes up — up to a second later, because
// nothing else is then in flight to wake it (2.4 made that wait
// fetch.queue.backoff.ms). A consumer faster than one second of prefetch
// therefore idled for the rest of each second (docs/performance.md, "IoT
// windows against Apache Spark"), and the only way round it was a prefetch big
// enough to last the second — memory for nothing. Any request to the leader
// wakes its thread, which then finds the drained queue and fetches at once; a
// ListOffsets for the end of the assigned partitions is the cheapest such
// request and changes nothing.
//
// Invariant: at most one wake-up is in flight; wake() never blocks the caller
// (the request runs on the waker's own thread); the thread is joined before the
// consumer's handle can be destroyed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

struct rd_kafka_s;

namespace sluice::kafka {

class FetchWaker {
 public:
  // `prefetch_bytes`: the consumer's queued.max.messages.kbytes, in bytes.
  FetchWaker(rd_kafka_s* rk, int64_t prefetch_bytes);
  ~FetchWaker();
  FetchWaker(const FetchWaker&) = delete;
  FetchWaker& operator=(const FetchWaker&) = delete;

  // Called by the polling thread for every message it took (`bytes`: payload).
  void took(size_t bytes) { taken_since_dry_ += int64_t(bytes); }
  // Called when a poll found the queue empty. If at least half the prefetch
  // went through since the queue was last found empty, librdkafka probably
  // stopped fetching at its threshold: the leaders are woken. A consumer that
  // keeps up with a live stream finds the queue empty long before that, so it
  // sends nothing.
  void found_dry();

  // Wake-ups requested so far (for tests and debugging).
  int64_t wakeups() const;

 private:
  void run();

  rd_kafka_s* rk_;
  const int64_t threshold_bytes_;
  int64_t taken_since_dry_ = 0;  // polling thread only

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;
  bool stopping_ = false;
  int64_t wakeups_ = 0;
  std::thread thread_;  // started at the first wake-up
};

}  // namespace sluice::kafka
