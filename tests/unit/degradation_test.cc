// The degradation controller: runbook 003's levels, thresholds, hysteresis and
// oracle, the memory rule, operator pins, and the halt at CIRCUIT_BREAK.
#include "pipeline/runtime/degradation.h"

#include <gtest/gtest.h>

#include "pipeline/pipeline_config.h"
#include "pipeline/runtime/breaker_set.h"

namespace sluice::pipeline {
namespace {

using L = DegradationLevel;
constexpr int64_t kSecond = 1000;
constexpr int64_t kMiB = 1 << 20;

DegradationConfig seed_thresholds() {
  DegradationConfig c;
  c.lag_thresholds = {100000, 500000, 1000000, 5000000};
  return c;
}

// A controller fed measurements at a clock the test moves.
struct Fixture {
  explicit Fixture(DegradationConfig c, CircuitBreaker* halt = nullptr)
      : controller("ticks", c, halt, metrics) {}
  L after(int64_t lag, int64_t wait_ms = 0, int64_t memory = 0) {
    now += wait_ms;
    controller.observe(lag, memory, now, now);
    return controller.level();
  }
  ops::MetricsRegistry metrics;
  DegradationController controller;
  int64_t now = 1000000;
};

TEST(Degradation, TheSeedsOracle) {
  Fixture f(seed_thresholds());
  EXPECT_EQ(f.after(99999), L::kNormal);
  EXPECT_EQ(f.after(100000), L::kSoft);
  EXPECT_EQ(f.after(500000), L::kGraceful);
  EXPECT_EQ(f.after(1000000), L::kAggressive);
  EXPECT_EQ(f.after(5000000), L::kCircuitBreak);
  Fixture g(seed_thresholds());
  EXPECT_EQ(g.after(500000), L::kGraceful);
  EXPECT_EQ(g.after(450000, 60 * kSecond), L::kGraceful) << "over half of 500K: stays";
  EXPECT_EQ(g.after(240000, 60 * kSecond), L::kSoft);
  EXPECT_EQ(g.after(50000, 60 * kSecond), L::kNormal) << "at half of 100K";
}

TEST(Degradation, RisesAtOnceSkippingLevels) {
  Fixture f(seed_thresholds());
  EXPECT_EQ(f.after(2000000), L::kAggressive);
  EXPECT_EQ(f.after(6000000), L::kCircuitBreak) << "no wait on the way up";
}

TEST(Degradation, FallsOnlyThirtySecondsAfterTheLastChange) {
  Fixture f(seed_thresholds());
  EXPECT_EQ(f.after(600000), L::kGraceful);
  EXPECT_EQ(f.after(0, 29 * kSecond), L::kGraceful);
  EXPECT_EQ(f.after(0, kSecond), L::kNormal) << "30 s on, straight to what lag calls for";
  EXPECT_EQ(f.after(100000), L::kSoft);
  EXPECT_EQ(f.after(1000000, kSecond), L::kAggressive) << "a rise restarts the clock";
  EXPECT_EQ(f.after(0, 29 * kSecond), L::kAggressive);
}

TEST(Degradation, MemoryRaisesTheLevelAndMustFallTenPointsToLeave) {
  DegradationConfig c;
  c.memory_budget_bytes = 1000 * kMiB;
  Fixture f(c);
  EXPECT_EQ(f.after(0, 0, 699 * kMiB), L::kNormal);
  EXPECT_EQ(f.after(0, 0, 700 * kMiB), L::kSoft);
  EXPECT_EQ(f.after(0, 0, 950 * kMiB), L::kCircuitBreak);
  EXPECT_EQ(f.after(0, 60 * kSecond, 860 * kMiB), L::kCircuitBreak) << "under 95 % but not 85 %";
  EXPECT_EQ(f.after(0, 0, 849 * kMiB), L::kGraceful) << "under 85 %: to what 84.9 % calls for";
}

TEST(Degradation, TheHigherOfLagAndMemoryWins) {
  DegradationConfig c = seed_thresholds();
  c.memory_budget_bytes = 1000 * kMiB;
  Fixture f(c);
  EXPECT_EQ(f.after(100000, 0, 900 * kMiB), L::kAggressive);
  EXPECT_EQ(f.after(100000, 60 * kSecond, 100 * kMiB), L::kSoft);
}

TEST(Degradation, AThresholdOfZeroLeavesItsLevelOut) {
  DegradationConfig c;
  c.lag_thresholds = {50, 0, 0, 1000};  // degrade_lag_threshold and halt_lag_threshold
  Fixture f(c);
  EXPECT_EQ(f.after(999), L::kSoft);
  EXPECT_EQ(f.after(1000), L::kCircuitBreak);
  EXPECT_EQ(f.after(400, 60 * kSecond), L::kSoft) << "under half of 1000";
}

TEST(Degradation, CircuitBreakOpensTheLagBreakerOncePerVisit) {
  StageConfig s;
  s.name = "ticks";
  s.degradation = seed_thresholds();
  BreakerSet breakers(s);
  ASSERT_NE(breakers.lag(), nullptr);
  Fixture f(s.degradation, breakers.lag());
  f.after(5000000);
  EXPECT_EQ(breakers.lag()->state(), BreakerState::kOpen);
  breakers.lag()->force_close();  // `sluice breaker close lag`: let it catch up
  f.after(9000000, 60 * kSecond);
  EXPECT_EQ(breakers.lag()->state(), BreakerState::kClosed) << "not re-opened while still there";
  EXPECT_EQ(f.after(2000000, 60 * kSecond), L::kAggressive);
  f.after(5000000);
  EXPECT_EQ(breakers.lag()->state(), BreakerState::kOpen) << "a new visit halts again";
}

TEST(Degradation, NoLagBreakerWithoutACircuitBreakRule) {
  StageConfig s;
  s.degradation.lag_thresholds = {100, 200, 300, 0};
  EXPECT_EQ(BreakerSet(s).lag(), nullptr);
  s.degradation.memory_budget_bytes = kMiB;
  EXPECT_NE(BreakerSet(s).lag(), nullptr) << "memory can reach CIRCUIT_BREAK";
}

TEST(Degradation, AnOperatorPinsALevelUntilAuto) {
  Fixture f(seed_thresholds());
  EXPECT_EQ(f.controller.set(L::kGraceful, f.now, f.now), "");
  EXPECT_EQ(f.after(0, 60 * kSecond), L::kGraceful) << "pinned: the rules wait";
  EXPECT_TRUE(f.controller.status().pinned);
  f.controller.automatic();
  EXPECT_EQ(f.after(0), L::kNormal) << "the pin's time counts as the last change";
}

TEST(Degradation, CircuitBreakByHandNeedsTheLagBreakerAndLeavingItClosesIt) {
  Fixture none(DegradationConfig{});
  EXPECT_NE(none.controller.set(L::kCircuitBreak, 0, 0).find("sluice pause ticks"),
            std::string::npos);
  EXPECT_EQ(none.controller.level(), L::kNormal);

  StageConfig s;
  s.degradation = seed_thresholds();
  BreakerSet breakers(s);
  Fixture f(s.degradation, breakers.lag());
  EXPECT_EQ(f.controller.set(L::kCircuitBreak, f.now, f.now), "");
  EXPECT_EQ(breakers.lag()->state(), BreakerState::kOpen);
  EXPECT_EQ(f.controller.set(L::kSoft, f.now, f.now), "");
  EXPECT_EQ(breakers.lag()->state(), BreakerState::kClosed);
}

TEST(Degradation, ParkingNeedsAGracefulRuleOrAnOperator) {
  DegradationConfig halt_only;
  halt_only.lag_thresholds = {0, 0, 0, 1000};  // halt_lag_threshold alone
  Fixture f(halt_only);
  EXPECT_EQ(f.after(5000), L::kCircuitBreak);
  EXPECT_FALSE(f.controller.parking()) << "let out of the halt, it catches up on everything";
  f.controller.set(L::kGraceful, f.now, f.now);
  EXPECT_TRUE(f.controller.parking()) << "an operator asked for GRACEFUL";
  f.controller.automatic();
  EXPECT_FALSE(f.controller.parking());

  Fixture g(seed_thresholds());
  EXPECT_EQ(g.after(400000), L::kSoft);
  EXPECT_FALSE(g.controller.parking());
  EXPECT_EQ(g.after(500000), L::kGraceful);
  EXPECT_TRUE(g.controller.parking());
  EXPECT_EQ(g.after(5000000), L::kCircuitBreak);
  EXPECT_TRUE(g.controller.parking()) << "each level does what the ones below do";
}

TEST(Degradation, PriorityKeysMatchExactly) {
  DegradationConfig c;
  c.priority_keys = {"ASX.BHP", "ASX.CBA"};
  Fixture f(c);
  EXPECT_TRUE(f.controller.priority("ASX.BHP"));
  EXPECT_FALSE(f.controller.priority("ASX.BHPX"));
  EXPECT_FALSE(f.controller.priority("asx.bhp"));
}

TEST(Degradation, LevelsAreParsedByNameInAnyCase) {
  EXPECT_EQ(parse_level("graceful"), L::kGraceful);
  EXPECT_EQ(parse_level("CIRCUIT_BREAK"), L::kCircuitBreak);
  EXPECT_EQ(parse_level("HIGH"), std::nullopt);
  for (L level : kAllDegradationLevels) EXPECT_EQ(parse_level(level_name(level)), level);
}

TEST(Degradation, MetricsCountEachTransition) {
  Fixture f(seed_thresholds());
  f.after(500000);
  f.after(0, 60 * kSecond);
  const std::string text = f.metrics.render();
  EXPECT_NE(text.find("sluice_degradation_level{stage=\"ticks\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find("sluice_degradation_transitions_total{stage=\"ticks\",from=\"NORMAL\",to="
                      "\"GRACEFUL\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice_degradation_transitions_total{stage=\"ticks\",from=\"GRACEFUL\",to="
                      "\"NORMAL\"} 1"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace sluice::pipeline
