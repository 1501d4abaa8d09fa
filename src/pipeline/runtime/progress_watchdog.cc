#include "pipeline/runtime/progress_watchdog.h"

#include <algorithm>
#include <ctime>

#include "common/log.h"

namespace sluice::pipeline {
namespace {

// "2026-12-06T07:50:56Z": when a stall began, as an operator compares it with other logs.
std::string utc_time(int64_t ms) {
  const time_t seconds = time_t(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

}  // namespace

std::string Stall::describe() const {
  std::string where =
      tp.first.empty() ? std::string("the stage") : fmt::format("{}-{}", tp.first, tp.second);
  if (offset >= 0) where += fmt::format(" at offset {}", offset);
  std::string out = fmt::format("stalled: {} ({}) since {}", where, reason, utc_time(since_ms));
  if (!last_error.empty()) out += "; last error: " + last_error;
  return out;
}

ProgressWatchdog::ProgressWatchdog(const StallConfig& config, ops::MetricsRegistry& registry,
                                   const std::string& stage)
    : config_(config),
      stage_(stage),
      stalled_gauge_(registry.gauge("sluice_stage_stalled",
                                    "1 while the stage cannot make progress (see /readyz)",
                                    {{"stage", stage}})),
      stalls_total_(registry.counter("sluice_stage_stalls_total",
                                     "Times the stage stopped making progress",
                                     {{"stage", stage}})) {}

void ProgressWatchdog::delivery_failed(const TopicPartition& tp, int64_t offset,
                                       const std::string& error, int64_t now_ms) {
  std::lock_guard lock(mu_);
  Failing& f = failing_[{tp, offset}];
  if (f.count == 0) f.since_ms = now_ms;
  f.count += 1;
  f.last_error = error;
  update(now_ms);
}

void ProgressWatchdog::delivered(const TopicPartition& tp, int64_t offset) {
  std::lock_guard lock(mu_);
  if (failing_.erase({tp, offset}) == 0) return;  // the common case: it never failed
  update(latest_ms_);
}

void ProgressWatchdog::forget(const TopicPartition& tp) {
  std::lock_guard lock(mu_);
  std::erase_if(failing_, [&](const auto& entry) { return entry.first.first == tp; });
  update(latest_ms_);
}

void ProgressWatchdog::committed(int64_t now_ms) {
  std::lock_guard lock(mu_);
  last_commit_ms_ = now_ms;
  update(now_ms);
}

void ProgressWatchdog::check(int64_t lag, bool held, int64_t now_ms) {
  std::lock_guard lock(mu_);
  if (lag <= 0) {
    waiting_since_ms_ = 0;
  } else if (waiting_since_ms_ == 0) {
    waiting_since_ms_ = now_ms;
  }
  held_ = held;
  update(now_ms);
}

std::optional<Stall> ProgressWatchdog::stall() const {
  std::lock_guard lock(mu_);
  return stall_;
}

void ProgressWatchdog::update(int64_t now_ms) {
  latest_ms_ = std::max(latest_ms_, now_ms);
  now_ms = latest_ms_;
  std::optional<Stall> found;
  if (config_.max_delivery_failures > 0) {
    // The record failing the longest is the one to name.
    for (const auto& [key, f] : failing_) {
      if (f.count < config_.max_delivery_failures) continue;
      if (found && found->since_ms <= f.since_ms) continue;
      found = Stall{key.first, key.second,
                    fmt::format("its outputs failed delivery {} times in a row", f.count),
                    f.last_error, f.since_ms};
    }
  }
  if (!found && config_.commit_timeout_ms > 0 && !held_ && waiting_since_ms_ > 0) {
    const int64_t since = std::max(last_commit_ms_, waiting_since_ms_);
    if (now_ms - since >= config_.commit_timeout_ms) {
      std::string last_error;
      for (const auto& [key, f] : failing_) last_error = f.last_error;
      found = Stall{{},
                    -1,
                    fmt::format("no offset committed for {} s while input waits",
                                config_.commit_timeout_ms / 1000),
                    last_error,
                    since};
    }
  }
  if (found && !stall_) {
    stalls_total_.inc();
    log::error("stage", "stage '{}' {}", stage_, found->describe());
  } else if (!found && stall_) {
    log::info("stage", "stage '{}' is making progress again", stage_);
  }
  stall_ = std::move(found);
  stalled_gauge_.set(stall_ ? 1 : 0);
}

}  // namespace sluice::pipeline
