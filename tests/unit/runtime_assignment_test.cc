// Assignment: a sink's resume offset wins on assign; a revoked partition is
// drained and committed (the runtime's release hook) before it is forgotten.
#include <gtest/gtest.h>

#include "memory_checkpoint_store.h"
#include "ops/metrics.h"
#include "pipeline/runtime/assignment.h"
#include "pipeline/state/state_checkpoint.h"

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
      stage, table, &sink, nullptr, metrics, flow, [this](const std::vector<TopicPartition>& tps) {
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

// A stateful processor's partitions: the state checkpoint sets where reading
// starts, and commits never pass the last checkpoint.
using MemoryCheckpoints = MemoryCheckpointStore;

struct NoteTaker : StatefulProcessor {
  std::map<TopicPartition, std::optional<std::string>> restored;
  void restore(const std::string& t, int32_t p, const std::optional<ProcessorState>& s) override {
    restored[{t, p}] = s ? std::optional(s->head) : std::nullopt;
  }
  ProcessorState snapshot(const std::string&, int32_t) override { return std::string("notes"); }
  void release(const std::string&, int32_t) override {}
};

struct StatefulAssignment : ::testing::Test {
  ops::MetricsRegistry registry;
  StageConfig stage = [] {
    StageConfig s;
    s.name = "count";
    s.group = "g";
    return s;
  }();
  StageMetrics metrics{registry, "count", "g"};
  FlowControl flow{stage.queue};
  PartitionTable table;
  MemoryCheckpoints store;
  NoteTaker processor;
  PartitionStates states{"g", processor, store};
  Assignment assignment{
      stage, table, nullptr, &states, metrics, flow, [](const std::vector<TopicPartition>&) {}};
};

TEST_F(StatefulAssignment, TheCheckpointSetsWhereReadingStartsAndCapsCommits) {
  store.objects["checkpoints/g/in/1"] = encode_checkpoint({40, "seen"});
  std::vector<kafka::PartitionOffset> parts = {{"in", 0}, {"in", 1}};
  assignment.assigned(parts);
  EXPECT_EQ(assignment.failure(), "");
  EXPECT_EQ(parts[0].offset, kafka::kOffsetInvalid) << "no checkpoint: the group's commit";
  EXPECT_EQ(parts[1].offset, 40);
  EXPECT_EQ(processor.restored.at({"in", 1}), "seen");
  EXPECT_EQ(processor.restored.at({"in", 0}), std::nullopt);

  // Records 40..44 of partition 1 are done, but the state was checkpointed at 40:
  // the group's offset must not pass the checkpoint.
  PartitionState& p1 = *table.find({"in", 1});
  for (int64_t o = 40; o < 45; ++o) {
    auto job = std::make_shared<InFlight>();
    job->tp = {"in", 1};
    job->offset = o;
    table.accept(p1, job);
    table.done(*table.take_head(p1));
  }
  const auto commits = table.take_commits();
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0].offset, 40);
  p1.checkpointed = 45;
  EXPECT_EQ(table.take_commits().at(0).offset, 45);
  EXPECT_TRUE(table.take_commits().empty()) << "partition 0 has no checkpoint: nothing to commit";
}

TEST_F(StatefulAssignment, ADamagedCheckpointIsReportedNotThrownIntoTheConsumer) {
  store.objects["checkpoints/g/in/0"] = "garbage";
  std::vector<kafka::PartitionOffset> parts = {{"in", 0}};
  EXPECT_NO_THROW(assignment.assigned(parts));
  EXPECT_NE(assignment.failure().find("checkpoints/g/in/0"), std::string::npos)
      << assignment.failure();
}

}  // namespace
}  // namespace sluice::pipeline
