// A circuit breaker for one named dependency (an HTTP service, an object
// store...). When too many calls to it fail, the stage stops calling it for a
// while — and the runtime pauses its partitions — instead of burning every
// record's retry budget and flooding the DLQ.
//
//   closed    --(failures/calls >= threshold, calls >= minimum, in window)-->  open
//   open      --(open_ms elapsed)-->                                           half-open
//   half-open --(half_open_probes successes)-->                                closed
//   half-open --(any failure)-->                                               open
//
// Invariants: allow() is false whenever state() is kOpen; in half-open at most
// half_open_probes permits are outstanding at once. A permit that is never
// answered by record_success()/record_failure() is reclaimed after open_ms, so
// a lost probe cannot wedge the breaker in half-open. An operator's
// force_open() holds until force_close(), whatever calls report.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace sluice::pipeline {

struct BreakerConfig {
  std::string name;
  double failure_rate_threshold = 0.5;  // opens when failures/calls in the window >= this...
  int minimum_calls = 10;               // ...and at least this many calls were seen
  int64_t window_ms = 30000;            // sliding time window
  int64_t open_ms = 30000;              // how long it stays open before half-open
  int half_open_probes = 3;  // successes needed in half-open to close; any failure re-opens
};

enum class BreakerState { kClosed = 0, kOpen = 1, kHalfOpen = 2 };  // values are the metric's

const char* breaker_state_name(BreakerState state);  // "closed", "open", "half-open"

// The steady clock in milliseconds.
int64_t steady_now_ms();

// Thread-safe (one mutex).
class CircuitBreaker {
 public:
  explicit CircuitBreaker(BreakerConfig config, std::function<int64_t()> now_ms = steady_now_ms);

  // False while open; in half-open hands out up to half_open_probes probe permits.
  bool allow();
  void record_success();
  void record_failure();
  // Also performs the open -> half-open transition once open_ms has passed.
  BreakerState state();
  // Operator override (`sluice breaker open|close NAME`); force_open holds until force_close.
  void force_open();
  void force_close();
  bool forced_open();
  // How many times the breaker has gone to open: trips, re-trips from
  // half-open and force_open. Monotonic, for the opened counter.
  int64_t times_opened();
  // One line: name, state, failure rate, calls in window, time until half-open.
  std::string describe();
  const BreakerConfig& config() const { return config_; }

 private:
  // Calls are counted in buckets of window_ms/100 (at least 1 ms), so the
  // window slides in 1% steps and memory stays bounded at any call rate.
  struct Bucket {
    int64_t index;
    int calls;
    int failures;
  };

  void advance(int64_t now);  // expires old buckets and opens -> half-open; mutex held
  void count(int64_t now, bool failed);
  void trip(int64_t now);
  void close();
  void release_probe();

  const BreakerConfig config_;
  const std::function<int64_t()> now_ms_;
  const int64_t bucket_ms_;
  std::mutex mu_;
  BreakerState state_ = BreakerState::kClosed;
  bool forced_open_ = false;
  std::deque<Bucket> window_;
  int calls_ = 0;
  int failures_ = 0;
  int64_t opened_at_ms_ = 0;
  int64_t times_opened_ = 0;
  std::deque<int64_t> probes_;  // grant times of outstanding half-open permits
  int probe_successes_ = 0;
};

}  // namespace sluice::pipeline
