// The degradation controller: which level (degradation_config.h) a stage runs
// at, from its total lag and its process's resident memory, measured once a
// second by the poll thread; or the level an operator pinned with
// `sluice degradation set LEVEL` until `sluice degradation auto`.
//
// Rules (runbook 003's oracle: 100K -> SOFT, 500K -> GRACEFUL, 1M -> AGGRESSIVE,
// 5M -> CIRCUIT_BREAK; GRACEFUL at 450K stays; then 240K -> SOFT; 50K -> NORMAL):
// - up at once, to the highest level whose lag threshold or memory share is reached;
// - down only when recovery_after has passed since the last change, lag is at or
//   under half the current level's lag threshold, and memory is more than ten
//   points of the budget under the current level's share (resident memory is slow
//   to fall, so halving it would pin a stage high for ever); then to the level the
//   measurements call for, skipping levels on the way down as on the way up.
// Parking (GRACEFUL) applies at GRACEFUL and above only when the ladder has a
// GRACEFUL rule (a lag threshold or a memory budget) or an operator set the level:
// a stage given only halt_lag_threshold, let out of CIRCUIT_BREAK's halt by an
// operator, catches up by processing everything, as it always did.
// Entering CIRCUIT_BREAK forces breaker "lag" open once: consumption stops and
// kafka_circuit_breaker_state pages until an operator closes it, and it is not
// re-opened until the stage has left CIRCUIT_BREAK, so closing it lets the stage
// catch up.
//
// Threads: observe(), set() and automatic() on any thread, serialized by a
// mutex; level() and priority() are lock-free reads for the dispatch path.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "ops/metrics.h"
#include "pipeline/circuit_breaker.h"
#include "pipeline/degradation_config.h"

namespace sluice::pipeline {

// The level the rules above give for `lag` and `memory_bytes` when the stage is at
// `current`, `since_change_ms` after its last change. Pure: the controller's rule,
// tested on its own.
DegradationLevel next_level(const DegradationConfig& config, DegradationLevel current,
                            int64_t since_change_ms, int64_t lag, int64_t memory_bytes);

struct DegradationStatus {
  DegradationLevel level = DegradationLevel::kNormal;
  bool pinned = false;       // set by an operator: the rules wait for `auto`
  int64_t lag = 0;           // at the last measurement
  int64_t memory_bytes = 0;  // the process's resident memory then
  int64_t since_ms = 0;      // wall-clock time of the last change (0: never changed)
  int64_t parked = 0;        // records parked in parked_topic so far
};

class DegradationController {
 public:
  // `halt` is the stage's "lag" breaker (nullptr when no rule reaches CIRCUIT_BREAK).
  DegradationController(const std::string& stage, const DegradationConfig& config,
                        CircuitBreaker* halt, ops::MetricsRegistry& metrics);

  // A measurement; `now_ms` is monotonic, `wall_ms` the wall clock (for status).
  void observe(int64_t lag, int64_t memory_bytes, int64_t now_ms, int64_t wall_ms);
  // Pins the level until automatic(). Returns why it cannot ("" when done).
  std::string set(DegradationLevel level, int64_t now_ms, int64_t wall_ms);
  void automatic();

  DegradationLevel level() const { return level_.load(std::memory_order_relaxed); }
  // Whether records that are not priority keys are parked now (see above).
  bool parking() const { return parking_.load(std::memory_order_relaxed); }
  // Whether `key` is still processed at GRACEFUL and above.
  bool priority(std::string_view key) const { return priority_.count(key) > 0; }
  void parked() { parked_->inc(); }
  const std::string& parked_topic() const { return config_.parked_topic; }
  DegradationStatus status() const;

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Moves to `to` (mu_ held): logs, counts, publishes, trips the halt on entering it.
  void change(DegradationLevel to, const char* why, int64_t now_ms, int64_t wall_ms);
  void update_parking();  // mu_ held

  const bool graceful_rule_;  // the configuration can reach GRACEFUL by itself

  const std::string stage_;
  const DegradationConfig config_;
  CircuitBreaker* const halt_;
  const std::unordered_set<std::string, KeyHash, std::equal_to<>> priority_;
  ops::MetricsRegistry& metrics_;
  ops::Gauge& level_gauge_;
  ops::Counter* parked_;

  mutable std::mutex mu_;
  std::atomic<DegradationLevel> level_{DegradationLevel::kNormal};
  std::atomic<bool> parking_{false};
  bool pinned_ = false;
  int64_t changed_at_ms_ = -1;  // monotonic; -1: never changed
  int64_t changed_wall_ms_ = 0;
  int64_t lag_ = 0;
  int64_t memory_bytes_ = 0;
};

}  // namespace sluice::pipeline
