// Lifecycle of the stage's partitions: what happens when the group assigns
// them, revokes them, and — in run-once mode — when the stage has caught up.
//
// Invariants: a revoked partition is drained (its batches finished and outputs
// acknowledged, bounded by the shutdown timeout) and committed before it is
// given up, and everything it still held is forgotten, so its next owner
// re-reads exactly what was not committed. An assigned partition starts where
// the stage's sink says it stopped, when the stage has one, whatever the group
// committed.
//
// Threads: the poll thread (rebalances are served inside the consumer's poll).
#pragma once

#include <atomic>
#include <functional>
#include <vector>

#include "kafka/consumer.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"
#include "pipeline/runtime/flow_control.h"
#include "pipeline/runtime/partition_table.h"
#include "pipeline/stage_metrics.h"

namespace sluice::pipeline {

class Assignment : public kafka::RebalanceListener {
 public:
  // Drains and commits the given partitions (the runtime's own job).
  using Release = std::function<void(const std::vector<TopicPartition>&)>;

  Assignment(const StageConfig& stage, PartitionTable& partitions, DurableSink* sink,
             StageMetrics& metrics, FlowControl& flow, Release release);
  // The consumer whose committed and log offsets set the catch-up targets.
  void attach(kafka::Consumer& consumer) { consumer_ = &consumer; }
  // Run-once mode: record, at each assignment, the end offsets to catch up with.
  void stop_when_caught_up() { until_caught_up_ = true; }
  bool until_caught_up() const { return until_caught_up_; }
  int count() const { return assigned_; }

  void assigned(std::vector<kafka::PartitionOffset>& parts) override;
  void revoked(const std::vector<kafka::PartitionOffset>& parts) override;

 private:
  void record_catch_up_targets(const std::vector<kafka::PartitionOffset>& parts);

  std::string stage_;
  PartitionTable& partitions_;
  DurableSink* sink_;
  StageMetrics& metrics_;
  FlowControl& flow_;
  Release release_;
  kafka::Consumer* consumer_ = nullptr;
  bool until_caught_up_ = false;
  std::atomic<int> assigned_{0};  // read by status() from other threads
};

}  // namespace sluice::pipeline
