// A consumer group's lag arithmetic, without a broker: the total that `sluice
// groups describe` and `sluice incident snapshot` report, the runbook's
// "detect skew" rule (one partition holding more than half of a lag worth
// acting on), and when a group counts as existing at all.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>

#include "cli/support/group_lag.h"

namespace sluice::cli {
namespace {

GroupLag group_with_lags(std::initializer_list<int64_t> lags) {
  GroupLag g{"pipeline-download", "Stable", 1, {}};
  int32_t partition = 0;
  for (int64_t lag : lags) {
    PartitionLag p;
    p.topic = "tasks";
    p.partition = partition++;
    p.lag = lag;
    g.partitions.push_back(p);
  }
  return g;
}

TEST(CliGroupLag, TotalIsTheSumOverPartitions) {
  EXPECT_EQ(group_with_lags({}).total_lag(), 0);
  EXPECT_EQ(group_with_lags({5}).total_lag(), 5);
  EXPECT_EQ(group_with_lags({3, 0, 40, 1'000'000'000'000}).total_lag(), 1'000'000'000'043);
}

TEST(CliGroupLag, NoSkewWhileTheTotalIsTooSmallToActOn) {
  // Everything on one partition, but only kSkewMinTotalLag records: not worth an alert.
  EXPECT_EQ(group_with_lags({GroupLag::kSkewMinTotalLag, 0, 0}).skewed(), nullptr);
  EXPECT_EQ(group_with_lags({}).skewed(), nullptr);
}

TEST(CliGroupLag, SkewIsThePartitionHoldingMoreThanHalfOfTheTotal) {
  const GroupLag g = group_with_lags({100, 901, 0});
  const PartitionLag* hot = g.skewed();
  ASSERT_NE(hot, nullptr);
  EXPECT_EQ(hot->partition, 1);
  EXPECT_EQ(hot->lag, 901);
}

TEST(CliGroupLag, ExactlyHalfIsNotSkew) {
  EXPECT_EQ(group_with_lags({600, 600}).skewed(), nullptr);
  EXPECT_EQ(group_with_lags({700, 400, 300}).skewed(), nullptr);
}

TEST(CliGroupLag, EvenlySpreadLagIsNotSkewHoweverLarge) {
  EXPECT_EQ(group_with_lags({50'000, 50'000, 50'000, 50'000}).skewed(), nullptr);
}

TEST(CliGroupLag, ADeadGroupWithoutCommitsIsOneTheClusterNeverHeardOf) {
  GroupLag unknown{"typo-group", "Dead", 0, {}};
  EXPECT_FALSE(unknown.exists());

  GroupLag stopped = group_with_lags({0});  // members gone, commits kept
  stopped.state = "Dead";
  stopped.members = 0;
  EXPECT_TRUE(stopped.exists());

  GroupLag empty{"idle-group", "Empty", 0, {}};
  EXPECT_TRUE(empty.exists());
}

}  // namespace
}  // namespace sluice::cli
