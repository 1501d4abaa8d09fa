// Assignment: a sink's resume offset wins on assign; a revoked partition is
// drained and committed (the runtime's release hook) before it is forgotten.
#include <gtest/gtest.h>

#include "ops/metrics.h"
#include "pipeline/runtime/assignment.h"

namespace sluice::pipeline {
namespace {

struct RecordingSink : DurableSink {
  std::vector<TopicPartition> released;
  int64_t resume_offset(const std::string&, int32_t partition) override {
    return partition == 1 ? 700 : -1;
  }
  int64_t durable_through(const std::string&, int32_t) override { return -1; }
  void release(const std::string& topic, int32_t partition) override {
    released.emplace_back(topic, partition);
  }
  void flush(int64_t) override {}
};

struct RuntimeAssignment : ::testing::Test {
  ops::MetricsRegistry registry;
  StageMetrics metrics{registry, "sink", "sink.group"};
  StageConfig stage = [] {
    StageConfig s;
    s.name = "sink";
    return s;
  }();
  FlowControl flow{stage.queue};
  PartitionTable table;
  RecordingSink sink;
  std::vector<std::vector<TopicPartition>> releases;  // what the runtime was asked to drain
  Assignment assignment{
      stage, table, &sink, metrics, flow, [this](const std::vector<TopicPartition>& tps) {
        // Still owned while the runtime drains and commits them.
        for (const auto& tp : tps) EXPECT_NE(table.find(tp), nullptr);
        releases.push_back(tps);
      }};
};

TEST_F(RuntimeAssignment, ASinksResumeOffsetWinsOverTheGroupsCommit) {
  std::vector<kafka::PartitionOffset> parts = {{"in", 0}, {"in", 1}};
  assignment.assigned(parts);
  EXPECT_EQ(parts[0].offset, kafka::kOffsetInvalid) << "no resume offset: the group's commit";
  EXPECT_EQ(parts[1].offset, 700);
  EXPECT_EQ(table.find({"in", 1})->sink_resume, 700);
  EXPECT_EQ(assignment.count(), 2);
}

TEST_F(RuntimeAssignment, AnAssignmentStartsUnpaused) {
  ASSERT_TRUE(flow.update({0, 0}, true, false, 1000));
  std::vector<kafka::PartitionOffset> parts = {{"in", 0}};
  assignment.assigned(parts);
  EXPECT_FALSE(flow.paused());
}

TEST_F(RuntimeAssignment, ARevokedPartitionIsReleasedThenForgotten) {
  std::vector<kafka::PartitionOffset> parts = {{"in", 0}, {"in", 1}};
  assignment.assigned(parts);
  auto job = std::make_shared<InFlight>();
  job->tp = {"in", 0};
  table.accept(*table.find({"in", 0}), job);
  assignment.revoked({{"in", 0}});
  ASSERT_EQ(releases.size(), 1u);
  const std::vector<TopicPartition> in0 = {{"in", 0}};
  EXPECT_EQ(releases[0], in0);
  EXPECT_EQ(table.find({"in", 0}), nullptr);
  EXPECT_NE(table.find({"in", 1}), nullptr);
  EXPECT_EQ(table.buffered(), 0) << "its records are its next owner's to read";
  EXPECT_EQ(sink.released, in0);
  EXPECT_EQ(assignment.count(), 0);
}

}  // namespace
}  // namespace sluice::pipeline
