// See retry_policy.h for the rules; this file only implements them.
#include "pipeline/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace sluice::pipeline {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// splitmix64's output function: a good 64-bit mix of a counter value.
uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

bool retried_in_process(ErrorCategory category) {
  return category == ErrorCategory::kTransient || category == ErrorCategory::kTimeout;
}

}  // namespace

uint64_t random_seed() {
  std::random_device device;
  return (uint64_t(device()) << 32) ^ device();
}

RetryPolicy::RetryPolicy(RetryConfig config, uint64_t seed)
    : config_(std::move(config)), state_(seed) {}

double RetryPolicy::next_unit() {
  uint64_t bits = mix(state_.fetch_add(kGolden, std::memory_order_relaxed) + kGolden);
  return double(bits >> 11) * 0x1.0p-53;
}

int64_t RetryPolicy::backoff_ms(int attempt) {
  // Written so that nonsense configs (NaN, negatives) still give a value in range.
  double cap = double(std::max<int64_t>(config_.max_backoff_ms, 0));
  double growth =
      config_.multiplier > 1 ? std::pow(config_.multiplier, std::max(attempt, 1) - 1) : 1;
  double base = std::min(double(config_.initial_backoff_ms) * growth, cap);
  if (!(base > 0)) return 0;
  double jitter = config_.jitter > 0 ? std::min(config_.jitter, 1.0) : 0.0;
  double factor = 1.0 + jitter * (2.0 * next_unit() - 1.0);
  return int64_t(std::clamp(std::round(base * factor), 0.0, cap));
}

RetryDecision RetryPolicy::decide(ErrorCategory category, int attempts_in_process,
                                  int delay_topic_level) {
  if (category == ErrorCategory::kCircuitOpen) {
    return {RetryDecision::kRetryInProcess, backoff_ms(attempts_in_process)};
  }
  if (!retried_in_process(category)) return {RetryDecision::kDeadLetter};
  if (attempts_in_process < config_.max_attempts) {
    return {RetryDecision::kRetryInProcess, backoff_ms(attempts_in_process)};
  }
  size_t next_level = size_t(std::max(delay_topic_level, 0)) + 1;
  if (next_level <= config_.delay_topic_delays_ms.size()) {
    return {RetryDecision::kDelayTopic, config_.delay_topic_delays_ms[next_level - 1],
            int(next_level)};
  }
  return {RetryDecision::kDeadLetter};
}

}  // namespace sluice::pipeline
