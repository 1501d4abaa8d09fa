// Flow control: when a stage stops reading from Kafka, and when it pauses its
// partitions for real.
//
// Invariant: memory stays bounded (at most max_buffered_records / _bytes held,
// plus what librdkafka prefetches, which is bounded in bytes too) without ever
// letting the consumer go silent for max.poll.interval.ms: a full buffer first
// only stops reading; past kHardPauseAfterMs the partitions are paused, so the
// consumer keeps polling (and stays in its group). Reading resumes once the
// buffer drained to half, not at the first free slot, so it does not flap.
#pragma once

#include <cstdint>
#include <optional>

#include "pipeline/pipeline_config.h"

namespace sluice::pipeline {

class FlowControl {
 public:
  // Not pausing at once matters: a pause discards librdkafka's prefetched
  // records, which would then be fetched again on every resume.
  static constexpr int64_t kHardPauseAfterMs = 2000;

  explicit FlowControl(const QueueConfig& queue) : queue_(queue) {}

  // What the stage holds in memory: records consumed but not yet processed,
  // plus those a sink buffered and has not made durable yet.
  struct Load {
    int64_t held_records = 0;
    int64_t buffered_bytes = 0;
  };
  enum class Reason { kOperator, kBreakerOpen, kQueueFull, kDrained };
  struct Change {
    bool paused;
    Reason reason;
  };

  // Whether to take records from the consumer now. While the partitions are
  // paused it polls anyway: rebalances are served inside the consumer's poll.
  bool reading() const { return full_since_ms_ == 0 || paused_; }
  bool paused() const { return paused_; }

  // Re-evaluates at `now_ms` (monotonic); returns the change to apply to the
  // consumer's partitions, if any.
  std::optional<Change> update(Load load, bool operator_paused, bool breaker_open, int64_t now_ms);
  // A fresh assignment starts unpaused (the consumer resumes it); update() pauses again.
  void assigned() { paused_ = false; }

  static const char* reason_name(Reason reason);

 private:
  QueueConfig queue_;
  int64_t full_since_ms_ = 0;  // when the buffer became full (0: it is not)
  bool paused_ = false;        // the consumer's partitions are paused
};

}  // namespace sluice::pipeline
