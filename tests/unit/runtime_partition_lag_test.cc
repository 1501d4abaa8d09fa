// Lag arithmetic: what counts as behind, per partition.
#include <gtest/gtest.h>

#include "pipeline/runtime/partition_lag.h"

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

}  // namespace
}  // namespace sluice::pipeline
