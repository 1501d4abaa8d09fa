// What happens to a record after a failed attempt, decided by its error
// category alone (DESIGN.md "a record ... is never dropped"):
//   validation, permanent -> the DLQ at once (retrying cannot help);
//   circuit_open          -> wait in process (the runtime pauses instead);
//   transient, timeout    -> in-process retries with exponential backoff and
//                            jitter, then each delay topic <topic>.retry.N once,
//                            then the DLQ.
// Invariant: for transient/timeout the decision only moves forward — more
// attempts or a higher delay-topic level never lead back to an earlier step,
// so every record reaches the DLQ after a bounded number of hops.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "pipeline/error_category.h"

namespace sluice::pipeline {

struct RetryConfig {
  int max_attempts = 3;  // in-process attempts (first try included) for transient/timeout
  int64_t initial_backoff_ms = 100;
  int64_t max_backoff_ms = 5000;
  double multiplier = 2.0;
  double jitter = 0.2;                                                 // +/- fraction, uniform
  std::vector<int64_t> delay_topic_delays_ms = {5000, 30000, 300000};  // <topic>.retry.1..N
};

struct RetryDecision {
  enum Kind { kRetryInProcess, kDelayTopic, kDeadLetter } kind;
  int64_t backoff_ms = 0;  // kRetryInProcess: wait this long; kDelayTopic: that topic's delay
  int delay_topic = 0;     // kDelayTopic: 1-based level N of <topic>.retry.N
};

// A fresh seed from std::random_device, so stages started together do not
// retry in lockstep.
uint64_t random_seed();

// Thread-safe: the jitter source is a lock-free counter-based generator.
class RetryPolicy {
 public:
  explicit RetryPolicy(RetryConfig config, uint64_t seed = random_seed());

  // `attempts_in_process` = attempts already made in this process for this record (>= 1);
  // `delay_topic_level` = 0 for the input topic, n when the record came from <topic>.retry.n.
  RetryDecision decide(ErrorCategory category, int attempts_in_process, int delay_topic_level);

  // The wait after failed attempt `attempt` (1-based):
  // initial_backoff_ms * multiplier^(attempt-1), capped at max_backoff_ms, then
  // scaled by a uniform factor in [1 - jitter, 1 + jitter] and capped again, so
  // the result is always in [0, max_backoff_ms].
  int64_t backoff_ms(int attempt);

  const RetryConfig& config() const { return config_; }

 private:
  double next_unit();  // uniform in [0, 1)

  RetryConfig config_;
  std::atomic<uint64_t> state_;
};

}  // namespace sluice::pipeline
