// The circuit breaker's state machine, driven by a fake clock (no sleeping).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "pipeline/circuit_breaker.h"

namespace sluice::pipeline {
namespace {

class BreakerTest : public ::testing::Test {
 protected:
  BreakerConfig config(int minimum_calls = 4) {
    BreakerConfig c;
    c.name = "http";
    c.failure_rate_threshold = 0.5;
    c.minimum_calls = minimum_calls;
    c.window_ms = 10000;
    c.open_ms = 5000;
    c.half_open_probes = 2;
    return c;
  }
  CircuitBreaker make(BreakerConfig c) {
    return CircuitBreaker(std::move(c), [this] { return now_; });
  }
  void fail(CircuitBreaker& b, int n) {
    for (int i = 0; i < n; ++i) b.record_failure();
  }
  void succeed(CircuitBreaker& b, int n) {
    for (int i = 0; i < n; ++i) b.record_success();
  }
  // Opens `b` and lets open_ms pass, so it is half-open.
  void to_half_open(CircuitBreaker& b) {
    fail(b, b.config().minimum_calls);
    now_ += b.config().open_ms;
    ASSERT_EQ(b.state(), BreakerState::kHalfOpen);
  }

  int64_t now_ = 1000000;
};

TEST_F(BreakerTest, StartsClosedAndAllowsCalls) {
  CircuitBreaker b = make(config());
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_TRUE(b.allow());
}

TEST_F(BreakerTest, StateValuesAreTheMetricValues) {
  EXPECT_EQ(int(BreakerState::kClosed), 0);
  EXPECT_EQ(int(BreakerState::kOpen), 1);
  EXPECT_EQ(int(BreakerState::kHalfOpen), 2);
}

TEST_F(BreakerTest, StaysClosedBelowMinimumCallsEvenIfAllFail) {
  CircuitBreaker b = make(config(4));
  fail(b, 3);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_TRUE(b.allow());
}

TEST_F(BreakerTest, OpensWhenTheFailureRateReachesTheThresholdAfterMinimumCalls) {
  CircuitBreaker b = make(config(4));
  succeed(b, 2);
  fail(b, 1);
  EXPECT_EQ(b.state(), BreakerState::kClosed) << "3 calls < minimum 4";
  fail(b, 1);  // 2 failures / 4 calls = 0.5 >= 0.5
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_FALSE(b.allow());
}

TEST_F(BreakerTest, StaysClosedWhileTheFailureRateIsBelowTheThreshold) {
  CircuitBreaker b = make(config(4));
  for (int i = 0; i < 50; ++i) {
    b.record_success();
    b.record_success();
    b.record_failure();  // rate 1/3
  }
  EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST_F(BreakerTest, ASuccessCanCompleteMinimumCallsAndTripIt) {
  CircuitBreaker b = make(config(4));
  fail(b, 3);
  b.record_success();  // 3/4 failed
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST_F(BreakerTest, FailuresOlderThanTheWindowAreForgotten) {
  CircuitBreaker b = make(config(4));
  fail(b, 3);
  now_ += 10000;  // the window length: those failures expire
  succeed(b, 3);
  b.record_failure();  // 1/4 in the window
  EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST_F(BreakerTest, FailuresInsideTheWindowStillCount) {
  CircuitBreaker b = make(config(4));
  fail(b, 3);
  now_ += 9000;
  b.record_failure();
  EXPECT_EQ(b.state(), BreakerState::kOpen);
}

TEST_F(BreakerTest, GoesHalfOpenOnlyOnceOpenMsHasPassed) {
  CircuitBreaker b = make(config());
  fail(b, 4);
  now_ += 4999;
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_FALSE(b.allow());
  now_ += 1;
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
}

TEST_F(BreakerTest, HalfOpenAllowsOnlyTheConfiguredNumberOfConcurrentProbes) {
  CircuitBreaker b = make(config());
  to_half_open(b);
  EXPECT_TRUE(b.allow());
  EXPECT_TRUE(b.allow());
  EXPECT_FALSE(b.allow()) << "two probes are already in flight";
  b.record_success();
  EXPECT_TRUE(b.allow()) << "an answered probe frees its permit";
}

TEST_F(BreakerTest, EnoughSuccessfulProbesCloseIt) {
  CircuitBreaker b = make(config());
  to_half_open(b);
  ASSERT_TRUE(b.allow());
  b.record_success();
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
  ASSERT_TRUE(b.allow());
  b.record_success();
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  fail(b, 3);
  EXPECT_EQ(b.state(), BreakerState::kClosed) << "closing starts a fresh window";
}

TEST_F(BreakerTest, AnyFailureInHalfOpenReopensForAnotherOpenPeriod) {
  CircuitBreaker b = make(config());
  to_half_open(b);
  ASSERT_TRUE(b.allow());
  b.record_success();
  ASSERT_TRUE(b.allow());
  b.record_failure();
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_FALSE(b.allow());
  now_ += 4999;
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  now_ += 1;
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
}

TEST_F(BreakerTest, CountsEveryTripIncludingReTripsFromHalfOpenAndForceOpen) {
  CircuitBreaker b = make(config());
  EXPECT_EQ(b.times_opened(), 0);
  to_half_open(b);
  EXPECT_EQ(b.times_opened(), 1);
  ASSERT_TRUE(b.allow());
  b.record_failure();
  EXPECT_EQ(b.times_opened(), 2);
  b.force_close();
  b.force_open();
  EXPECT_EQ(b.times_opened(), 3);
  b.force_close();
  EXPECT_EQ(b.times_opened(), 3) << "closing does not count";
}

TEST_F(BreakerTest, AProbeThatIsNeverAnsweredIsReclaimedAfterOpenMs) {
  CircuitBreaker b = make(config());
  to_half_open(b);
  ASSERT_TRUE(b.allow());
  ASSERT_TRUE(b.allow());
  EXPECT_FALSE(b.allow());
  now_ += 5000;
  EXPECT_TRUE(b.allow()) << "lost permits must not wedge the breaker half-open";
}

TEST_F(BreakerTest, ResultsOfCallsStartedBeforeItOpenedAreIgnoredWhileOpen) {
  CircuitBreaker b = make(config());
  fail(b, 4);
  succeed(b, 10);
  fail(b, 10);
  now_ += 5000;
  EXPECT_EQ(b.state(), BreakerState::kHalfOpen);
}

TEST_F(BreakerTest, ForceOpenHoldsUntilForceCloseWhateverTimeOrResults) {
  CircuitBreaker b = make(config());
  b.force_open();
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_TRUE(b.forced_open());
  now_ += 1000000;
  succeed(b, 100);
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  EXPECT_FALSE(b.allow());
  b.force_close();
  EXPECT_FALSE(b.forced_open());
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  EXPECT_TRUE(b.allow());
}

TEST_F(BreakerTest, ForceCloseEndsANaturalOpenPeriodAndForgetsPastFailures) {
  CircuitBreaker b = make(config());
  fail(b, 4);
  b.force_close();
  EXPECT_EQ(b.state(), BreakerState::kClosed);
  fail(b, 3);
  EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST_F(BreakerTest, DescribeNamesStateRateCallsAndTimeUntilHalfOpen) {
  CircuitBreaker b = make(config(10));
  fail(b, 1);
  succeed(b, 3);
  std::string closed = b.describe();
  EXPECT_NE(closed.find("http: closed"), std::string::npos) << closed;
  EXPECT_NE(closed.find("failure rate 0.25"), std::string::npos) << closed;
  EXPECT_NE(closed.find("1/4 calls"), std::string::npos) << closed;
  fail(b, 6);
  now_ += 2000;
  std::string open = b.describe();
  EXPECT_NE(open.find("http: open"), std::string::npos) << open;
  EXPECT_NE(open.find("half-open in 3000 ms"), std::string::npos) << open;
  b.force_open();
  EXPECT_NE(b.describe().find("held open by an operator"), std::string::npos) << b.describe();
}

TEST(Breaker, IsSafeToUseFromManyThreads) {
  BreakerConfig c;
  c.name = "shared";
  c.minimum_calls = 1000000;  // never trips: counts must add up exactly
  CircuitBreaker b(c);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&b] {
      for (int i = 0; i < 2000; ++i) {
        if (b.allow()) i % 2 ? b.record_success() : b.record_failure();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_NE(b.describe().find("4000/8000 calls"), std::string::npos) << b.describe();
}

}  // namespace
}  // namespace sluice::pipeline
