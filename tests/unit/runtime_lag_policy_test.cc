// Lag arithmetic and the degrade / halt policies.
#include <gtest/gtest.h>

#include "pipeline/runtime/breaker_set.h"
#include "pipeline/runtime/lag_policy.h"

namespace sluice::pipeline {
namespace {

TEST(RuntimeLag, CountsFromTheCommittableOffset) {
  LagInputs in;
  in.committable = 40;
  in.first_consumed = 10;
  in.high = 100;
  EXPECT_EQ(partition_lag(in), 60);
}

TEST(RuntimeLag, RecordsHeldInTheStageCountBeforeAnyIsCommittable) {
  LagInputs in;
  in.first_consumed = 10;
  in.high = 100;
  EXPECT_EQ(partition_lag(in), 90);
}

TEST(RuntimeLag, AQuietPartitionIsMeasuredFromItsFetchPositionNotTheLogStart) {
  LagInputs in;
  in.low = 0;
  in.high = 100;
  EXPECT_TRUE(needs_position(in));
  EXPECT_EQ(partition_lag(in), std::nullopt) << "not known yet: measured next time";
  in.position = -1001;
  EXPECT_EQ(partition_lag(in), std::nullopt);
  in.position = 95;
  EXPECT_EQ(partition_lag(in), 5);
  in.low = 98;  // retention deleted past the position
  EXPECT_EQ(partition_lag(in), 2);
}

TEST(RuntimeLag, WithoutAFetchPositionThePartitionCountsFromTheGroupsCommitOrTheLogStart) {
  LagInputs in;
  in.low = 10;
  in.high = 100;
  in.position = -1001;  // paused since assignment: the consumer never fetched
  EXPECT_EQ(partition_lag(in), std::nullopt) << "the group's commit not asked yet";
  in.group_committed = 70;
  EXPECT_EQ(partition_lag(in), 30) << "the group's committed offset";
  in.group_committed = -1;
  EXPECT_EQ(partition_lag(in), 90) << "no commit: everything from the log start";
  in.position = 95;
  EXPECT_EQ(partition_lag(in), 5) << "a known position wins";
}

TEST(RuntimeLag, NeverNegative) {
  LagInputs in;
  in.committed = 120;  // committed past a high watermark that is not refreshed yet
  in.high = 100;
  EXPECT_FALSE(needs_position(in));
  EXPECT_EQ(partition_lag(in), 0);
}

TEST(RuntimeLagPolicy, DegradesAboveTheThresholdAndRecovers) {
  StageConfig s;
  s.name = "download";
  s.degrade_lag_threshold = 100;
  LagPolicy policy(s, nullptr);
  policy.apply(100);
  EXPECT_FALSE(policy.degraded());
  policy.apply(101);
  EXPECT_TRUE(policy.degraded());
  policy.apply(50);
  EXPECT_FALSE(policy.degraded());
}

TEST(RuntimeLagPolicy, HaltsOncePerExcursionSoAnOperatorCanCatchUp) {
  StageConfig s;
  s.name = "download";
  s.halt_lag_threshold = 1000;
  BreakerSet breakers(s);
  LagPolicy policy(s, breakers.lag());
  policy.apply(1001);
  EXPECT_EQ(breakers.lag()->state(), BreakerState::kOpen);
  breakers.lag()->force_close();  // `sluice breaker close lag`
  policy.apply(5000);
  EXPECT_EQ(breakers.lag()->state(), BreakerState::kClosed) << "not re-tripped while still high";
  policy.apply(1000);  // back under: re-armed
  policy.apply(1001);
  EXPECT_EQ(breakers.lag()->state(), BreakerState::kOpen);
}

}  // namespace
}  // namespace sluice::pipeline
