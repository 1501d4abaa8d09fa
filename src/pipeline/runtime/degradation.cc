#include "pipeline/runtime/degradation.h"

#include <algorithm>

#include "common/log.h"

namespace sluice::pipeline {
namespace {

// Memory must fall this many points of the budget under a level's share to leave it.
constexpr int64_t kMemoryRecoveryPoints = 10;

DegradationLevel level_at(size_t index) {
  return kAllDegradationLevels[index];
}

bool memory_reaches(const DegradationConfig& c, size_t i, int64_t memory_bytes, int64_t points) {
  const int64_t percent = c.memory_percents[i];
  if (c.memory_budget_bytes <= 0 || percent <= 0) return false;
  const int64_t share = percent - std::min(points, percent / 2);  // a low share keeps half
  // 128-bit: the budget (up to 2^50) times 100 fits in 64 bits, but this is plainly safe.
  return __int128(memory_bytes) * 100 >= __int128(c.memory_budget_bytes) * share;
}

// The highest level a measurement reaches (NORMAL when none).
DegradationLevel called_for(const DegradationConfig& c, int64_t lag, int64_t memory_bytes) {
  DegradationLevel out = DegradationLevel::kNormal;
  for (size_t i = 0; i < 4; ++i) {
    const bool by_lag = c.lag_thresholds[i] > 0 && lag >= c.lag_thresholds[i];
    if (by_lag || memory_reaches(c, i, memory_bytes, 0)) out = level_at(i + 1);
  }
  return out;
}

}  // namespace

DegradationLevel next_level(const DegradationConfig& config, DegradationLevel current,
                            int64_t since_change_ms, int64_t lag, int64_t memory_bytes) {
  const DegradationLevel wanted = called_for(config, lag, memory_bytes);
  if (wanted >= current) return wanted;
  if (since_change_ms < config.recovery_after_ms) return current;
  const size_t i = size_t(current) - 1;  // current is above NORMAL here
  const int64_t threshold = config.lag_thresholds[i];
  if (threshold > 0 && lag * 2 > threshold) return current;
  if (memory_reaches(config, i, memory_bytes, kMemoryRecoveryPoints)) return current;
  return wanted;
}

DegradationController::DegradationController(const std::string& stage,
                                             const DegradationConfig& config, CircuitBreaker* halt,
                                             ops::MetricsRegistry& metrics)
    : graceful_rule_(config.lag_thresholds[1] > 0 ||
                     (config.memory_budget_bytes > 0 && config.memory_percents[1] > 0)),
      stage_(stage),
      config_(config),
      halt_(halt),
      priority_(config.priority_keys.begin(), config.priority_keys.end()),
      metrics_(metrics),
      level_gauge_(metrics.gauge("sluice_degradation_level",
                                 "The stage's degradation level: 0 NORMAL, 1 SOFT, 2 GRACEFUL, "
                                 "3 AGGRESSIVE, 4 CIRCUIT_BREAK",
                                 {{"stage", stage}})),
      parked_(&metrics.counter("sluice_degradation_parked_total",
                               "Records parked in the stage's parked topic (degradation.parked_"
                               "topic) at GRACEFUL and above, for `sluice dlq replay`",
                               {{"stage", stage}})) {}

void DegradationController::observe(int64_t lag, int64_t memory_bytes, int64_t now_ms,
                                    int64_t wall_ms) {
  std::lock_guard lock(mu_);
  lag_ = lag;
  memory_bytes_ = memory_bytes;
  if (pinned_) return;
  const DegradationLevel current = level();
  const int64_t since = changed_at_ms_ < 0 ? INT64_MAX : now_ms - changed_at_ms_;
  const DegradationLevel next = next_level(config_, current, since, lag, memory_bytes);
  if (next != current) change(next, next > current ? "rising" : "recovered", now_ms, wall_ms);
}

std::string DegradationController::set(DegradationLevel level, int64_t now_ms, int64_t wall_ms) {
  if (level == DegradationLevel::kCircuitBreak && !halt_) {
    return "stage '" + stage_ +
           "' has no CIRCUIT_BREAK rule (degradation.lag, degradation.memory_budget or "
           "halt_lag_threshold), so it has no breaker \"lag\" to open; stop it with `sluice "
           "pause " +
           stage_ + "`";
  }
  std::lock_guard lock(mu_);
  pinned_ = true;
  update_parking();
  const DegradationLevel from = this->level();
  if (level == from) return "";
  change(level, "set by an operator", now_ms, wall_ms);
  // An operator taking the stage out of CIRCUIT_BREAK means it may consume again.
  if (from == DegradationLevel::kCircuitBreak && halt_) halt_->force_close();
  return "";
}

void DegradationController::automatic() {
  std::lock_guard lock(mu_);
  if (pinned_)
    log::info("stage", "stage '{}': degradation level back under automatic control", stage_);
  pinned_ = false;
  update_parking();
}

void DegradationController::update_parking() {
  parking_.store(level() >= DegradationLevel::kGraceful && (pinned_ || graceful_rule_),
                 std::memory_order_relaxed);
}

DegradationStatus DegradationController::status() const {
  std::lock_guard lock(mu_);
  return {level(), pinned_, lag_, memory_bytes_, changed_wall_ms_, int64_t(parked_->value())};
}

void DegradationController::change(DegradationLevel to, const char* why, int64_t now_ms,
                                   int64_t wall_ms) {
  const DegradationLevel from = level();
  level_.store(to, std::memory_order_relaxed);
  update_parking();
  changed_at_ms_ = now_ms;
  changed_wall_ms_ = wall_ms;
  level_gauge_.set(double(int(to)));
  metrics_
      .counter("sluice_degradation_transitions_total",
               "Changes of the stage's degradation level, by the level left and the one entered",
               {{"stage", stage_}, {"from", level_name(from)}, {"to", level_name(to)}})
      .inc();
  const log::Level severity = to == DegradationLevel::kCircuitBreak ? log::Level::kError
                              : to > from                           ? log::Level::kWarn
                                                                    : log::Level::kInfo;
  log::event(severity, "stage", "degradation level changed",
             {{"stage", stage_},
              {"from", level_name(from)},
              {"to", level_name(to)},
              {"why", why},
              {"lag", std::to_string(lag_)},
              {"memory_bytes", std::to_string(memory_bytes_)}});
  if (to == DegradationLevel::kCircuitBreak && halt_) {
    halt_->force_open();
    log::event(log::Level::kError, "stage",
               "extreme lag: consumption halted; fix the cause, then `sluice breaker close lag`",
               {{"stage", stage_}, {"lag", std::to_string(lag_)}});
  }
}

}  // namespace sluice::pipeline
