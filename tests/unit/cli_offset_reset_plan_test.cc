// `sluice groups reset-offsets` planning, without a broker: where each target
// flag moves a partition, that a shift is clamped to the log's range, how a
// partition the group never committed on is treated, and that exactly one
// target must be chosen.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "cli/groups/reset_plan.h"

namespace sluice::cli {
namespace {

ResetFlags flags() {
  ResetFlags f;
  f.group = "pipeline-download";
  f.topic = "claims.downloads";
  return f;
}

// Three partitions: log [100, 500) committed at 300; log [0, 40) never committed; log [7, 7) empty.
std::vector<PartitionBefore> partitions() {
  return {{0, {100, 500}, 300, -1}, {1, {0, 40}, std::nullopt, -1}, {2, {7, 7}, 7, -1}};
}

std::vector<int64_t> next_offsets(const std::vector<PlannedOffset>& plan) {
  std::vector<int64_t> out;
  for (const auto& p : plan) out.push_back(p.next);
  return out;
}

TEST(CliOffsetResetPlan, ToEarliestIsEachPartitionsLogStart) {
  ResetFlags f = flags();
  f.to_earliest = true;
  EXPECT_EQ(next_offsets(plan_reset(f, partitions())), (std::vector<int64_t>{100, 0, 7}));
}

TEST(CliOffsetResetPlan, ToLatestIsEachPartitionsLogEnd) {
  ResetFlags f = flags();
  f.to_latest = true;
  EXPECT_EQ(next_offsets(plan_reset(f, partitions())), (std::vector<int64_t>{500, 40, 7}));
}

TEST(CliOffsetResetPlan, ShiftMovesFromTheCommittedOffsetOrTheLogStartWithoutOne) {
  ResetFlags f = flags();
  f.shift_by = -50;  // replay 50 records
  EXPECT_EQ(next_offsets(plan_reset(f, partitions())), (std::vector<int64_t>{250, 0, 7}));
  f.shift_by = 25;  // skip 25 records
  EXPECT_EQ(next_offsets(plan_reset(f, partitions())), (std::vector<int64_t>{325, 25, 7}));
}

TEST(CliOffsetResetPlan, ShiftIsClampedToTheLogRange) {
  ResetFlags f = flags();
  f.shift_by = -1'000'000;
  EXPECT_EQ(next_offsets(plan_reset(f, partitions())), (std::vector<int64_t>{100, 0, 7}));
  f.shift_by = 1'000'000;
  EXPECT_EQ(next_offsets(plan_reset(f, partitions())), (std::vector<int64_t>{500, 40, 7}));
  // A commit left below a log start that retention moved on clamps up to the log start.
  f.shift_by = 10;
  EXPECT_EQ(plan_reset(f, {{0, {100, 500}, 20, -1}}).front().next, 100);
}

TEST(CliOffsetResetPlan, DatetimeTakesTheBrokersOffsetOrTheEndWhenNothingIsThatLate) {
  ResetFlags f = flags();
  f.to_datetime = "2026-11-27T10:00:00Z";
  std::vector<PartitionBefore> p = partitions();
  p[0].at_time = 420;
  p[1].at_time = -1;  // no record at or after that time: wait at the end
  p[2].at_time = 7;
  EXPECT_EQ(next_offsets(plan_reset(f, p)), (std::vector<int64_t>{420, 40, 7}));
}

TEST(CliOffsetResetPlan, ThePlanKeepsThePartitionOrderAndTheCurrentCommit) {
  ResetFlags f = flags();
  f.to_latest = true;
  std::vector<PartitionBefore> p = {{3, {0, 9}, 4, -1}, {1, {0, 5}, std::nullopt, -1}};
  const auto plan = plan_reset(f, p);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].partition, 3);
  EXPECT_EQ(plan[0].current, 4);
  EXPECT_EQ(plan[1].partition, 1);
  EXPECT_FALSE(plan[1].current.has_value());
}

TEST(CliOffsetResetPlan, ExactlyOneTargetMustBeChosen) {
  ResetFlags none = flags();
  EXPECT_THROW(plan_reset(none, partitions()), std::invalid_argument);
  ResetFlags two = flags();
  two.to_earliest = true;
  two.shift_by = 0;
  EXPECT_THROW(plan_reset(two, partitions()), std::invalid_argument);
  EXPECT_THROW(require_one_target(two), std::invalid_argument);
  ResetFlags zero_shift = flags();
  zero_shift.shift_by = 0;  // a shift of 0 is a choice: re-commit where the group is
  EXPECT_EQ(next_offsets(plan_reset(zero_shift, partitions())), (std::vector<int64_t>{300, 0, 7}));
}

}  // namespace
}  // namespace sluice::cli
