// ProgressWatchdog on its own: when a stage counts as stalled, what it says,
// what it counts, and that it lets go as soon as progress returns.
#include <gtest/gtest.h>

#include "ops/metrics.h"
#include "pipeline/runtime/progress_watchdog.h"

namespace sluice::pipeline {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

struct ProgressWatchdogTest : ::testing::Test {
  ops::MetricsRegistry registry;
  StallConfig config{.max_delivery_failures = 3, .commit_timeout_ms = 60000};
  std::unique_ptr<ProgressWatchdog> watchdog =
      std::make_unique<ProgressWatchdog>(config, registry, "copy");
  TopicPartition tp{"in", 2};

  double stalled() {
    return registry.gauge("sluice_stage_stalled", "", {{"stage", "copy"}}).value();
  }
  double stalls() {
    return registry.counter("sluice_stage_stalls_total", "", {{"stage", "copy"}}).value();
  }
  void fail(int64_t offset, int times, int64_t at = kT0) {
    for (int i = 0; i < times; ++i)
      watchdog->delivery_failed(tp, offset, "delivery to out failed: Broker: Out of order", at + i);
  }
};

TEST_F(ProgressWatchdogTest, ARecordFailingDeliveryTooOftenStallsTheStageAndNamesIt) {
  fail(41, 2);
  EXPECT_FALSE(watchdog->stall());
  EXPECT_EQ(stalled(), 0);

  fail(41, 1, kT0 + 2);

  auto stall = watchdog->stall();
  ASSERT_TRUE(stall);
  EXPECT_EQ(stall->tp, tp);
  EXPECT_EQ(stall->offset, 41);
  EXPECT_EQ(stall->since_ms, kT0);
  const std::string text = stall->describe();
  for (const char* part :
       {"in-2 at offset 41", "3 times in a row", "Out of order", "since 2023-11-14T22:13:20Z"})
    EXPECT_NE(text.find(part), std::string::npos) << part << " missing from: " << text;
  EXPECT_EQ(stalled(), 1);
  EXPECT_EQ(stalls(), 1);
}

TEST_F(ProgressWatchdogTest, FailuresOfDifferentRecordsDoNotAddUp) {
  fail(1, 2);
  fail(2, 2);
  EXPECT_FALSE(watchdog->stall());
}

TEST_F(ProgressWatchdogTest, DeliveringTheRecordEndsTheStallAndANewOneCountsAgain) {
  fail(7, 3);
  ASSERT_TRUE(watchdog->stall());

  watchdog->delivered(tp, 7);
  EXPECT_FALSE(watchdog->stall());
  EXPECT_EQ(stalled(), 0);

  fail(8, 3);
  EXPECT_TRUE(watchdog->stall());
  EXPECT_EQ(stalls(), 2);
}

TEST_F(ProgressWatchdogTest, ARevokedPartitionIsNoLongerThisStagesStall) {
  fail(7, 3);
  watchdog->forget(tp);
  EXPECT_FALSE(watchdog->stall());
}

TEST_F(ProgressWatchdogTest, NoCommitWhileInputWaitsStallsAfterTheTimeout) {
  watchdog->committed(kT0);
  watchdog->check(5, false, kT0 + 1000);
  watchdog->check(5, false, kT0 + 60000);
  EXPECT_FALSE(watchdog->stall()) << "the timeout runs from when lag appeared";

  watchdog->check(5, false, kT0 + 61000);

  auto stall = watchdog->stall();
  ASSERT_TRUE(stall);
  EXPECT_EQ(stall->offset, -1);
  EXPECT_EQ(stall->since_ms, kT0 + 1000);
  EXPECT_NE(stall->describe().find("no offset committed for 60 s"), std::string::npos)
      << stall->describe();

  watchdog->committed(kT0 + 62000);
  EXPECT_FALSE(watchdog->stall());
}

TEST_F(ProgressWatchdogTest, NoLagOrAPauseOnPurposeIsNotAStall) {
  watchdog->check(0, false, kT0);
  watchdog->check(0, false, kT0 + 600000);
  EXPECT_FALSE(watchdog->stall()) << "nothing waits: nothing to commit";

  watchdog->check(9, true, kT0 + 600001);
  watchdog->check(9, true, kT0 + 900000);
  EXPECT_FALSE(watchdog->stall()) << "paused by an operator or a breaker";

  watchdog->check(9, false, kT0 + 900001);
  EXPECT_TRUE(watchdog->stall()) << "the pause ended and still nothing is committed";
}

TEST_F(ProgressWatchdogTest, ZeroTurnsEachCheckOff) {
  config = {.max_delivery_failures = 0, .commit_timeout_ms = 0};
  watchdog = std::make_unique<ProgressWatchdog>(config, registry, "copy");
  fail(1, 100);
  watchdog->check(5, false, kT0);
  watchdog->check(5, false, kT0 + 86400000);
  EXPECT_FALSE(watchdog->stall());
}

}  // namespace
}  // namespace sluice::pipeline
