// PartitionTable: per-partition order, the buffered counters, and which offsets
// may be committed.
#include <gtest/gtest.h>

#include "pipeline/runtime/partition_table.h"

namespace sluice::pipeline {
namespace {

// Stand-ins for librdkafka's topic handles: only their identity matters.
char kClaimsTopic;
char kOtherTopic;

std::shared_ptr<InFlight> record(const TopicPartition& tp, int64_t offset, int64_t bytes = 10) {
  auto job = std::make_shared<InFlight>();
  job->tp = tp;
  job->offset = offset;
  job->bytes = bytes;
  return job;
}

struct RuntimePartitionTable : ::testing::Test {
  PartitionTable table;
  const TopicPartition* tp = nullptr;
  PartitionState& claims() { return table.of(&kClaimsTopic, "claims", 0, &tp); }
  void consume(int64_t from, int64_t to) {
    for (int64_t o = from; o < to; ++o) table.accept(claims(), record({"claims", 0}, o));
  }
};

TEST_F(RuntimePartitionTable, MessagesOfOneTopicAndPartitionShareOneState) {
  PartitionState& a = claims();
  const TopicPartition* first = tp;
  EXPECT_EQ(&claims(), &a);
  EXPECT_EQ(tp, first);
  EXPECT_EQ(*tp, TopicPartition("claims", 0));
  const TopicPartition* other = nullptr;
  EXPECT_NE(&table.of(&kOtherTopic, "other", 0, &other), &a);
  EXPECT_NE(&table.of(&kClaimsTopic, "claims", 1, &other), &a);
  EXPECT_EQ(table.find({"claims", 0}), &a);
}

TEST_F(RuntimePartitionTable, CountersFollowEveryRecordInAndOut) {
  consume(0, 3);
  EXPECT_EQ(table.buffered(), 3);
  EXPECT_EQ(table.buffered_bytes(), 30);
  auto head = table.take_head(claims());
  EXPECT_EQ(head->offset, 0);
  EXPECT_EQ(table.buffered(), 2);
  table.put_back(claims(), head);
  EXPECT_EQ(table.buffered(), 3);
  EXPECT_EQ(claims().pending.front()->offset, 0) << "a record taken back goes to the head";
  table.revoke({"claims", 0});
  EXPECT_EQ(table.buffered(), 0);
  EXPECT_EQ(table.buffered_bytes(), 0);
  EXPECT_TRUE(table.empty());
}

TEST_F(RuntimePartitionTable, ARetryWaitsAtTheHeadOfItsPartition) {
  consume(0, 2);
  auto first = table.take_head(claims());
  EXPECT_TRUE(table.requeue(first, 5000));
  EXPECT_EQ(claims().pending.front(), first);
  EXPECT_EQ(claims().wait_until_ms, 5000);
  table.revoke({"claims", 0});
  EXPECT_FALSE(table.requeue(first, 6000)) << "revoked: the next owner re-consumes it";
  EXPECT_EQ(table.buffered(), 0);
}

TEST_F(RuntimePartitionTable, ReportsFromARevokedOwnershipNeverReachTheNextOne) {
  consume(0, 2);
  auto old_record = table.take_head(claims());
  EXPECT_EQ(table.owner(*old_record), &claims());
  table.revoke({"claims", 0});
  consume(0, 2);  // assigned again: the records are consumed anew
  EXPECT_EQ(table.owner(*old_record), nullptr) << "the old ownership ended";
  table.done(*old_record);
  EXPECT_TRUE(table.take_commits().empty()) << "offset 0 of the new ownership is not done";
  EXPECT_FALSE(table.requeue(old_record, 1000));
  EXPECT_FALSE(table.defer(old_record));
  EXPECT_EQ(claims().pending.size(), 2u);
  auto fresh = table.take_head(claims());
  EXPECT_EQ(table.owner(*fresh), &claims());
  table.done(*fresh);
  EXPECT_EQ(table.take_commits().at(0).offset, 1);
}

TEST_F(RuntimePartitionTable, CommitsNeverSkipARecordNotDoneAndNeverGoBack) {
  consume(10, 13);
  auto r10 = table.take_head(claims());
  auto r11 = table.take_head(claims());
  auto r12 = table.take_head(claims());
  EXPECT_TRUE(table.take_commits().empty());
  table.done(*r11);
  EXPECT_TRUE(table.take_commits().empty()) << "10 is not done";
  table.done(*r10);
  auto commits = table.take_commits();
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].offset, 12);
  EXPECT_TRUE(table.take_commits().empty()) << "nothing new";
  std::vector<TopicPartition> other = {{"other", 0}};
  table.done(*r12);
  EXPECT_TRUE(table.take_commits(&other).empty()) << "only the partitions asked for";
  EXPECT_EQ(table.take_commits()[0].offset, 13);
}

TEST_F(RuntimePartitionTable, ASinksResumeOffsetIsCommittableWithNothingConsumed) {
  table.assign({"claims", 0}).sink_resume = 500;
  auto commits = table.take_commits();
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].offset, 500);
}

struct FakeSink : DurableSink {
  int64_t durable = -1;
  int64_t resume_offset(const std::string&, int32_t) override { return -1; }
  int64_t durable_through(const std::string&, int32_t) override { return durable; }
  void release(const std::string&, int32_t) override {}
  void flush(int64_t) override {}
};

TEST_F(RuntimePartitionTable, DeferredRecordsAreDoneOnlyOnceTheSinkMadeThemDurable) {
  consume(0, 3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(table.defer(table.take_head(claims())));
  EXPECT_EQ(table.deferred(), 3);
  FakeSink sink;
  table.settle_deferred(sink);
  EXPECT_EQ(table.deferred(), 3);
  sink.durable = 2;
  table.settle_deferred(sink);
  EXPECT_EQ(table.deferred(), 1);
  EXPECT_EQ(table.take_commits()[0].offset, 2);
  table.revoke({"claims", 0});
  EXPECT_EQ(table.deferred(), 0);
}

TEST_F(RuntimePartitionTable, CaughtUpNeedsEveryTargetReachedAndNothingInFlight) {
  EXPECT_FALSE(table.caught_up()) << "nothing assigned yet";
  PartitionState& p = table.assign({"claims", 0});
  p.catch_up_target = 3;
  consume(0, 3);
  EXPECT_FALSE(table.caught_up());
  for (int64_t o = 0; o < 3; ++o) table.done(*table.take_head(claims()));
  p.running = 1;
  EXPECT_FALSE(table.caught_up());
  EXPECT_TRUE(table.busy({{"claims", 0}}));
  p.running = 0;
  EXPECT_TRUE(table.caught_up());
  EXPECT_FALSE(table.busy({{"claims", 0}}));
}

}  // namespace
}  // namespace sluice::pipeline
