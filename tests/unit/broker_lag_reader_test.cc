// Consumer-group lag read from the broker's own stores (src/broker/metrics/):
// what a paused or dead consumer's lag looks like from the broker.
#include "broker/metrics/broker_lag_reader.h"

#include <gtest/gtest.h>

#include "broker/metrics/broker_metrics.h"
#include "broker/storage/record_batch.h"
#include "ops/text_format.h"
#include "temp_dir.h"

namespace sluice::broker {
namespace {

class BrokerLagReaderTest : public ::testing::Test {
 protected:
  BrokerLagReaderTest()
      : topics_(dir_.path(), {}),
        offsets_(dir_.path() / "groups", false),
        groups_(offsets_, {}),
        producer_ids_(dir_.path()),
        ctx_{BrokerOptions{.data_dir = dir_.path()},
             topics_,
             groups_,
             producer_ids_,
             {},
             {},
             {},
             {}} {}
  ~BrokerLagReaderTest() override { groups_.shutdown(); }

  // Records with the given timestamps, in one batch, at the end of topic "t".
  void append(std::vector<int64_t> timestamps) {
    std::vector<RecordInput> records;
    for (int64_t ts : timestamps) records.push_back({ts, std::nullopt, "v", {}});
    Bytes batch = build_batch(0, records);
    topics_.partition("t", 0)->append(batch);
  }
  void commit(const std::string& group, int64_t offset) {
    offsets_.commit({{OffsetKey{group, "t", 0}, CommittedOffset{.offset = offset}}});
  }

  testing::TempDir dir_{"sluice-lag-reader"};
  TopicStore topics_;
  OffsetStore offsets_;
  GroupCoordinator groups_;
  ProducerIdAllocator producer_ids_;
  BrokerContext ctx_;
};

TEST_F(BrokerLagReaderTest, LagAndItsAgeComeFromTheRecordAtTheCommittedOffset) {
  ASSERT_EQ(topics_.create_topic("t", 1, {}).status, StoreStatus::kOk);
  append({1000});
  append({2000, 3000});  // the committed offset sits inside a batch
  commit("g", 2);
  BrokerLagReader reader(ctx_);

  ops::LagSnapshot s = reader.read(10'000);
  ASSERT_EQ(s.partitions.size(), 1u);
  const ops::PartitionLagSample& p = s.partitions[0];
  EXPECT_EQ(p.group, "g");
  EXPECT_EQ(p.committed, 2);
  EXPECT_EQ(p.log_end, 3);
  EXPECT_EQ(p.lag, 1);
  EXPECT_DOUBLE_EQ(*p.lag_seconds, 7.0);  // the record at offset 2 was stamped 3000
  ASSERT_EQ(s.groups.size(), 1u);
  EXPECT_EQ(s.groups[0].state, "Empty");  // commits but no members
  EXPECT_EQ(s.groups[0].members, 0);
}

TEST_F(BrokerLagReaderTest, APausedGroupsLagKeepsGrowingInCountAndAge) {
  ASSERT_EQ(topics_.create_topic("t", 1, {}).status, StoreStatus::kOk);
  append({1000});
  commit("g", 0);
  BrokerLagReader reader(ctx_);
  EXPECT_DOUBLE_EQ(*reader.read(2000).partitions[0].lag_seconds, 1.0);

  append({5000, 6000});  // produced while nobody consumes
  ops::LagSnapshot later = reader.read(9000);
  EXPECT_EQ(later.partitions[0].lag, 3);
  EXPECT_DOUBLE_EQ(*later.partitions[0].lag_seconds, 8.0);  // still the record stamped 1000

  commit("g", 3);  // caught up
  ops::LagSnapshot done = reader.read(9000);
  EXPECT_EQ(done.partitions[0].lag, 0);
  EXPECT_DOUBLE_EQ(*done.partitions[0].lag_seconds, 0.0);
}

TEST_F(BrokerLagReaderTest, ADeletedGroupOrTopicLeavesNoSeries) {
  ASSERT_EQ(topics_.create_topic("t", 1, {}).status, StoreStatus::kOk);
  append({1000});
  commit("g", 0);
  commit("h", 0);
  ops::MetricsRegistry registry;
  add_broker_metrics(registry, ctx_);
  auto page = ops::parse_prometheus_text(registry.render());
  EXPECT_EQ(page.at("sluice_group_lag{consumer_group=\"g\",topic=\"t\",partition=\"0\"}"), 1);
  EXPECT_EQ(page.at("sluice_group_state{consumer_group=\"h\",state=\"Empty\"}"), 1);

  ASSERT_EQ(groups_.delete_group("h"), 0);
  page = ops::parse_prometheus_text(registry.render());
  EXPECT_EQ(page.count("sluice_group_lag{consumer_group=\"h\",topic=\"t\",partition=\"0\"}"), 0u);
  EXPECT_EQ(page.count("sluice_group_state{consumer_group=\"h\",state=\"Empty\"}"), 0u);

  ASSERT_EQ(topics_.delete_topic("t").status, StoreStatus::kOk);
  page = ops::parse_prometheus_text(registry.render());
  EXPECT_EQ(page.count("sluice_group_lag{consumer_group=\"g\",topic=\"t\",partition=\"0\"}"), 0u);
  EXPECT_EQ(page.at("sluice_broker_partitions"), 0);
}

TEST_F(BrokerLagReaderTest, ScrapesOfStuckGroupsReadNoLogWhateverThePartitionCount) {
  constexpr int kPartitions = 200;
  ASSERT_EQ(topics_.create_topic("wide", kPartitions, {}).status, StoreStatus::kOk);
  std::vector<std::pair<OffsetKey, CommittedOffset>> commits;
  for (int32_t p = 0; p < kPartitions; ++p) {
    Bytes batch = build_batch(0, {{1000, std::nullopt, "v", {}}, {2000, std::nullopt, "v", {}}});
    topics_.partition("wide", p)->append(batch);
    commits.push_back({OffsetKey{"g", "wide", p}, CommittedOffset{.offset = 0}});
  }
  offsets_.commit(commits);
  BrokerLagReader reader(ctx_);

  EXPECT_EQ(reader.read(5000).partitions.size(), size_t(kPartitions));
  EXPECT_EQ(reader.log_reads(), uint64_t(kPartitions));  // one read per lagging partition
  for (int i = 0; i < 5; ++i) reader.read(6000 + i);
  EXPECT_EQ(reader.log_reads(), uint64_t(kPartitions));  // nothing moved: all from the cache

  offsets_.commit({{OffsetKey{"g", "wide", 7}, CommittedOffset{.offset = 1}}});
  ops::LagSnapshot s = reader.read(7000);
  EXPECT_EQ(reader.log_reads(),
            uint64_t(kPartitions) + 1);  // only the partition whose commit moved
  for (const auto& p : s.partitions) {
    EXPECT_DOUBLE_EQ(*p.lag_seconds, p.partition == 7 ? 5.0 : 6.0) << p.partition;
  }
}

TEST(RequestStats, CountsRequestsErrorsAndBytesPerApiKeyWithOneSlotForUnknownKeys) {
  RequestStats stats;
  stats.received(0, 100);
  stats.received(0, 50);
  stats.failed(0);
  stats.received(999, 10);
  stats.failed(999);
  stats.sent(30);
  auto per_api = stats.per_api();
  ASSERT_EQ(per_api.size(), 2u);
  EXPECT_EQ(per_api[0].api_key, 0);
  EXPECT_EQ(per_api[0].requests, 2u);
  EXPECT_EQ(per_api[0].errors, 1u);
  EXPECT_EQ(per_api[1].api_key, RequestStats::kUnknownKey);
  EXPECT_EQ(per_api[1].errors, 1u);
  EXPECT_EQ(stats.bytes_received(), 160u);
  EXPECT_EQ(stats.bytes_sent(), 30u);
}

}  // namespace
}  // namespace sluice::broker
