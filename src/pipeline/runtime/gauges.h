// Gauges: the stage's per-partition lag and its other levels, published to the
// metrics registry once a second by the poll thread. Measuring lag also drives
// the degradation controller, which acts on the stage's total.
//
// Invariant: only owned partitions are measured (a revoked one was zeroed when
// it was given up), and every owned partition counts: one whose fetch position
// is not known yet (paused, or not fetched since assignment) is measured from
// the group's committed offset, asked of the broker once, else the log start.
#pragma once

#include <map>
#include <vector>

#include "kafka/consumer.h"
#include "pipeline/runtime/breaker_set.h"
#include "pipeline/runtime/degradation.h"
#include "pipeline/runtime/partition_lag.h"
#include "pipeline/runtime/partition_table.h"
#include "pipeline/stage_metrics.h"

namespace sluice::pipeline {

class Gauges {
 public:
  Gauges(StageMetrics& metrics, PartitionTable& partitions, BreakerSet& breakers,
         DegradationController& degradation, bool measure_memory)
      : metrics_(metrics),
        partitions_(partitions),
        breakers_(breakers),
        degradation_(degradation),
        measure_memory_(measure_memory) {}

  // `now_ms` is wall-clock time, against which record timestamps give lag in
  // seconds. Returns the lag of the partitions of `input` (those not measured
  // yet count 0): records waiting to be processed now. Delay topics are left
  // out — their records wait on purpose, up to their delay.
  int64_t refresh(const std::string& input, kafka::Consumer& consumer, int assigned, bool connected,
                  int64_t now_ms);

 private:
  static constexpr int kCommittedTimeoutMs = 1000;  // the poll thread waits at most this, once
  void ask_group_committed(kafka::Consumer& consumer,
                           const std::vector<kafka::PartitionOffset>& unknown,
                           const std::map<TopicPartition, int64_t>& positions);

  StageMetrics& metrics_;
  PartitionTable& partitions_;
  BreakerSet& breakers_;
  DegradationController& degradation_;
  bool measure_memory_;  // the stage has a memory budget: read the process's RSS
};

}  // namespace sluice::pipeline
