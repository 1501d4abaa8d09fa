#include "pipeline/runtime/assignment.h"

#include <algorithm>

#include "common/log.h"

namespace sluice::pipeline {

Assignment::Assignment(const StageConfig& stage, PartitionTable& partitions, DurableSink* sink,
                       StageMetrics& metrics, FlowControl& flow, Release release)
    : stage_(stage.name),
      partitions_(partitions),
      sink_(sink),
      metrics_(metrics),
      flow_(flow),
      release_(std::move(release)) {}

void Assignment::assigned(std::vector<kafka::PartitionOffset>& parts) {
  for (auto& p : parts) {
    PartitionState& state = partitions_.assign({p.topic, p.partition});
    if (int64_t resume = sink_ ? sink_->resume_offset(p.topic, p.partition) : -1; resume >= 0) {
      p.offset = resume;
      state.sink_resume = resume;
    }
  }
  if (until_caught_up_) record_catch_up_targets(parts);
  assigned_ = int(parts.size());
  flow_.assigned();
  log::info("stage", "stage '{}' assigned {} partition(s)", stage_, parts.size());
}

void Assignment::revoked(const std::vector<kafka::PartitionOffset>& parts) {
  std::vector<TopicPartition> tps;
  for (const auto& p : parts) tps.emplace_back(p.topic, p.partition);
  release_(tps);
  for (const auto& tp : tps) {
    if (!partitions_.find(tp)) continue;
    if (sink_) sink_->release(tp.first, tp.second);
    partitions_.revoke(tp);
    // Gauges only visit owned partitions: without this, a revoked partition's
    // lag stays at its last value here while its new owner reports it too (and
    // `sluice up` never sees the pipeline drained).
    metrics_.lag(tp.first, tp.second, 0, 0.0);
  }
  assigned_ = 0;
  log::info("stage", "stage '{}' revoked {} partition(s) after draining them", stage_,
            parts.size());
}

void Assignment::record_catch_up_targets(const std::vector<kafka::PartitionOffset>& parts) {
  const std::vector<int64_t> committed = consumer_->committed(parts, 10000);
  const std::vector<int64_t> low = consumer_->log_offsets(parts, kafka::kOffsetBeginning, 10000);
  const std::vector<int64_t> high = consumer_->log_offsets(parts, kafka::kOffsetEnd, 10000);
  for (size_t i = 0; i < parts.size(); ++i) {
    PartitionState& state = partitions_.assign({parts[i].topic, parts[i].partition});
    // A partition whose log offsets did not come back counts from 0.
    state.catch_up_target = std::max<int64_t>(high[i], 0);
    // A sink's resume offset (set on parts[i]) wins over the group's committed offset.
    state.start = std::max({parts[i].offset, committed[i], std::max<int64_t>(low[i], 0)});
  }
}

}  // namespace sluice::pipeline
