// `sluice exporter` turns a group's lag, measured through the Kafka client, into
// the broker's vocabulary: the same partitions the broker reports (those the
// group committed on), the same state and member count.
#include <gtest/gtest.h>

#include "cli/exporter/cluster_lag_poller.h"

namespace sluice::cli {
namespace {

TEST(ExporterLag, ReportsCommittedPartitionsOnlyLikeTheBroker) {
  GroupLag lag{"claims.download", "Stable", 2, {}};
  lag.partitions.push_back({.topic = "t",
                            .partition = 0,
                            .committed = 5,
                            .log_end = 9,
                            .lag = 4,
                            .lag_seconds = 2.5,
                            .consumer_id = "m1",
                            .host = "h",
                            .client_id = "c"});
  // Owned but never committed: the broker has no commit to measure from, so neither do we.
  lag.partitions.push_back({.topic = "t",
                            .partition = 1,
                            .committed = std::nullopt,
                            .log_end = 3,
                            .lag = 3,
                            .lag_seconds = 1.0,
                            .consumer_id = "m2",
                            .host = "h",
                            .client_id = "c"});
  ops::LagSnapshot snapshot;
  append_group_lag(snapshot, lag);

  ASSERT_EQ(snapshot.groups.size(), 1u);
  EXPECT_EQ(snapshot.groups[0].group, "claims.download");
  EXPECT_EQ(snapshot.groups[0].state, "Stable");
  EXPECT_EQ(snapshot.groups[0].members, 2);
  ASSERT_EQ(snapshot.partitions.size(), 1u);
  const ops::PartitionLagSample& p = snapshot.partitions[0];
  EXPECT_EQ(p.group, "claims.download");
  EXPECT_EQ(p.partition, 0);
  EXPECT_EQ(p.committed, 5);
  EXPECT_EQ(p.log_end, 9);
  EXPECT_EQ(p.lag, 4);
  EXPECT_EQ(p.lag_seconds, 2.5);
}

}  // namespace
}  // namespace sluice::cli
