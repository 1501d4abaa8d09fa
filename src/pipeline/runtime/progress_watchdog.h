// ProgressWatchdog: notices a stage that runs but cannot make progress, so
// /readyz and the metrics say so instead of answering 200 while the same record
// is processed again every second (issue 16, probe 5).
//
// A stage is stalled when either
//  - one record's outputs failed delivery `stall.max_delivery_failures` times
//    in a row (the producer cannot deliver: a deleted or misconfigured output
//    topic, lost producer state, an authorization failure), or
//  - no offset was committed for `stall.commit_timeout` while input waited
//    (lag > 0) and nothing deliberate held the stage (operator pause, an open
//    breaker).
// It stops being stalled as soon as the failing record is delivered, or an
// offset is committed, or the input has nothing waiting.
//
// Threads: the poll thread reports events and calls check(); stall() and
// stalls_total() may be called from any thread (the admin server's).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ops/metrics.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/runtime/in_flight.h"

namespace sluice::pipeline {

// Why a stage is stalled, for /readyz and the log.
struct Stall {
  TopicPartition tp;       // the partition held back ("" when the stage as a whole is)
  int64_t offset = -1;     // the record that keeps failing (-1: none in particular)
  std::string reason;      // what the runtime sees, e.g. "delivery failed 5 times in a row"
  std::string last_error;  // the last delivery error, or ""
  int64_t since_ms = 0;    // wall clock: when the trouble began

  std::string describe() const;  // one line
};

class ProgressWatchdog {
 public:
  // `stage` names the metric series; `registry` must outlive the watchdog.
  ProgressWatchdog(const StallConfig& config, ops::MetricsRegistry& registry,
                   const std::string& stage);

  // Poll thread. A delivery attempt of (tp, offset) failed with `error`.
  void delivery_failed(const TopicPartition& tp, int64_t offset, const std::string& error,
                       int64_t now_ms);
  // Poll thread. Every output of (tp, offset) was acknowledged.
  void delivered(const TopicPartition& tp, int64_t offset);
  // Poll thread. The partition was given up: its records are someone else's now.
  void forget(const TopicPartition& tp);
  // Poll thread. Offsets were committed (progress, whatever else happens).
  void committed(int64_t now_ms);
  // Poll thread, once a second: `lag` is the stage's total input lag; `held` is
  // true while an operator pause or an open breaker stops it on purpose.
  void check(int64_t lag, bool held, int64_t now_ms);

  // Any thread: the current stall, if any.
  std::optional<Stall> stall() const;

 private:
  struct Failing {
    int count = 0;
    std::string last_error;
    int64_t since_ms = 0;
  };
  // Re-evaluates the stall at the latest time seen (requires mu_); counts and
  // logs a new one. Times are wall-clock ms (now_ms()): a stall's start is
  // shown to people, and a clock step only moves a timeout of minutes a little.
  void update(int64_t now_ms);

  const StallConfig config_;
  std::string stage_;
  ops::Gauge& stalled_gauge_;
  ops::Counter& stalls_total_;
  mutable std::mutex mu_;
  std::map<std::pair<TopicPartition, int64_t>, Failing> failing_;  // guarded by mu_
  int64_t last_commit_ms_ = 0;                                     // guarded by mu_; 0: not yet
  int64_t waiting_since_ms_ = 0;  // guarded by mu_; when lag was first seen > 0 (0: no lag)
  bool held_ = false;             // guarded by mu_
  int64_t latest_ms_ = 0;         // guarded by mu_; the latest time reported
  std::optional<Stall> stall_;    // guarded by mu_
};

}  // namespace sluice::pipeline
