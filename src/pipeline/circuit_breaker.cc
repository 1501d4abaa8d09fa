// See circuit_breaker.h for the state machine and its invariants.
#include "pipeline/circuit_breaker.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace sluice::pipeline {

const char* breaker_state_name(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half-open";
  }
  return "unknown";
}

int64_t steady_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

CircuitBreaker::CircuitBreaker(BreakerConfig config, std::function<int64_t()> now_ms)
    : config_(std::move(config)),
      now_ms_(now_ms ? std::move(now_ms) : steady_now_ms),
      bucket_ms_(std::max<int64_t>(1, config_.window_ms / 100)) {}

void CircuitBreaker::advance(int64_t now) {
  int64_t oldest_kept = now / bucket_ms_ - std::max<int64_t>(1, config_.window_ms / bucket_ms_);
  while (!window_.empty() && window_.front().index <= oldest_kept) {
    calls_ -= window_.front().calls;
    failures_ -= window_.front().failures;
    window_.pop_front();
  }
  if (state_ == BreakerState::kOpen && !forced_open_ && now - opened_at_ms_ >= config_.open_ms) {
    state_ = BreakerState::kHalfOpen;
    probes_.clear();
    probe_successes_ = 0;
  }
  while (state_ == BreakerState::kHalfOpen && !probes_.empty() &&
         now - probes_.front() >= config_.open_ms) {
    probes_.pop_front();  // a permit nobody answered: reclaim it
  }
}

void CircuitBreaker::count(int64_t now, bool failed) {
  int64_t index = now / bucket_ms_;
  if (window_.empty() || window_.back().index < index) window_.push_back({index, 0, 0});
  window_.back().calls += 1;
  window_.back().failures += failed ? 1 : 0;
  calls_ += 1;
  failures_ += failed ? 1 : 0;
  bool enough = calls_ >= std::max(config_.minimum_calls, 1);
  // Compare rates, not products: 3/10 rounds to exactly the literal 0.3.
  if (enough && double(failures_) / calls_ >= config_.failure_rate_threshold) trip(now);
}

void CircuitBreaker::trip(int64_t now) {
  state_ = BreakerState::kOpen;
  opened_at_ms_ = now;
  ++times_opened_;
  window_.clear();
  calls_ = failures_ = 0;
  probes_.clear();
  probe_successes_ = 0;
}

void CircuitBreaker::close() {
  state_ = BreakerState::kClosed;
  window_.clear();
  calls_ = failures_ = 0;
  probes_.clear();
  probe_successes_ = 0;
}

void CircuitBreaker::release_probe() {
  if (!probes_.empty()) probes_.pop_front();
}

bool CircuitBreaker::allow() {
  std::lock_guard lock(mu_);
  int64_t now = now_ms_();
  advance(now);
  if (state_ == BreakerState::kClosed) return true;
  if (state_ == BreakerState::kOpen) return false;
  if (int(probes_.size()) >= std::max(config_.half_open_probes, 1)) return false;
  probes_.push_back(now);
  return true;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mu_);
  int64_t now = now_ms_();
  advance(now);
  if (state_ == BreakerState::kClosed) return count(now, false);
  if (state_ == BreakerState::kOpen) return;  // a call started before it opened
  release_probe();
  if (++probe_successes_ >= std::max(config_.half_open_probes, 1)) close();
}

void CircuitBreaker::record_failure() {
  std::lock_guard lock(mu_);
  int64_t now = now_ms_();
  advance(now);
  if (state_ == BreakerState::kClosed) return count(now, true);
  if (state_ == BreakerState::kHalfOpen) trip(now);
}

BreakerState CircuitBreaker::state() {
  std::lock_guard lock(mu_);
  advance(now_ms_());
  return state_;
}

void CircuitBreaker::force_open() {
  std::lock_guard lock(mu_);
  forced_open_ = true;
  trip(now_ms_());
}

void CircuitBreaker::force_close() {
  std::lock_guard lock(mu_);
  forced_open_ = false;
  close();
}

bool CircuitBreaker::forced_open() {
  std::lock_guard lock(mu_);
  return forced_open_;
}

int64_t CircuitBreaker::times_opened() {
  std::lock_guard lock(mu_);
  return times_opened_;
}

std::string CircuitBreaker::describe() {
  std::lock_guard lock(mu_);
  int64_t now = now_ms_();
  advance(now);
  double rate = calls_ > 0 ? double(failures_) / calls_ : 0.0;
  std::string line = fmt::format(
      "{}: {}, failure rate {:.2f} ({}/{} calls in the last {} ms, opens at {:.2f} after {} calls)",
      config_.name, breaker_state_name(state_), rate, failures_, calls_, config_.window_ms,
      config_.failure_rate_threshold, config_.minimum_calls);
  if (forced_open_) return line + ", held open by an operator until `sluice breaker close`";
  if (state_ == BreakerState::kOpen) {
    line += fmt::format(", half-open in {} ms",
                        std::max<int64_t>(0, opened_at_ms_ + config_.open_ms - now));
  }
  if (state_ == BreakerState::kHalfOpen) {
    line += fmt::format(", {}/{} probes succeeded, {} in flight", probe_successes_,
                        config_.half_open_probes, probes_.size());
  }
  return line;
}

}  // namespace sluice::pipeline
