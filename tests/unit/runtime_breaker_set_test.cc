// BreakerSet: who may run, and who is charged with the outcome.
#include <gtest/gtest.h>

#include "pipeline/runtime/breaker_set.h"

namespace sluice::pipeline {
namespace {

StageConfig stage_with(std::vector<std::string> breakers, int64_t halt = 0) {
  StageConfig s;
  s.name = "download";
  for (auto& name : breakers) {
    BreakerConfig b;
    b.name = name;
    b.minimum_calls = 1;
    b.failure_rate_threshold = 0.5;
    s.breakers.push_back(b);
  }
  s.degradation.lag_thresholds[3] = halt;
  return s;
}

TEST(RuntimeBreakerSet, EveryConfiguredBreakerGrantsAPermit) {
  BreakerSet set(stage_with({"s3", "http"}));
  std::vector<CircuitBreaker*> permits;
  EXPECT_TRUE(set.allow(permits));
  EXPECT_EQ(permits.size(), 2u);
  EXPECT_EQ(set.lag(), nullptr);
  EXPECT_EQ(set.find("lag"), nullptr) << "no halt_lag_threshold, no lag breaker";
}

TEST(RuntimeBreakerSet, OnlyTheNamedDependencyIsChargedWithATransientFailure) {
  BreakerSet set(stage_with({"s3", "http"}));
  std::vector<CircuitBreaker*> permits;
  ASSERT_TRUE(set.allow(permits));
  BreakerSet::charge(permits, Outcome::failure(ErrorCategory::kTransient, "503", "http"));
  EXPECT_TRUE(permits.empty()) << "each permit is answered once";
  EXPECT_EQ(set.find("http")->state(), BreakerState::kOpen);
  EXPECT_EQ(set.find("s3")->state(), BreakerState::kClosed);
  EXPECT_TRUE(set.any_open());
  std::vector<CircuitBreaker*> next;
  EXPECT_FALSE(set.allow(next)) << "one open breaker holds every record";
}

TEST(RuntimeBreakerSet, ValidationFailuresChargeNoBreaker) {
  BreakerSet set(stage_with({"http"}));
  std::vector<CircuitBreaker*> permits;
  ASSERT_TRUE(set.allow(permits));
  BreakerSet::charge(permits, Outcome::failure(ErrorCategory::kValidation, "bad json"));
  EXPECT_EQ(set.find("http")->state(), BreakerState::kClosed);
}

TEST(RuntimeBreakerSet, TheLagBreakerHoldsTheStageOnceForcedOpen) {
  BreakerSet set(stage_with({}, /*halt=*/1000));
  ASSERT_NE(set.lag(), nullptr);
  EXPECT_EQ(set.find("lag"), set.lag());
  EXPECT_EQ(set.all().size(), 1u);
  set.lag()->force_open();
  std::vector<CircuitBreaker*> permits;
  EXPECT_FALSE(set.allow(permits));
  set.lag()->force_close();
  EXPECT_TRUE(set.allow(permits));
}

}  // namespace
}  // namespace sluice::pipeline
