#include "pipeline/runtime/gauges.h"

#include <algorithm>
#include <map>

#include "common/clock.h"
#include "common/process_memory.h"

namespace sluice::pipeline {

// The group's committed offsets of partitions whose fetch position is still
// unknown, asked once per assignment (one request, bounded wait): the fallback
// that keeps a paused or not-yet-fetching partition in the lag figures.
void Gauges::ask_group_committed(kafka::Consumer& consumer,
                                 const std::vector<kafka::PartitionOffset>& unknown,
                                 const std::map<TopicPartition, int64_t>& positions) {
  std::vector<kafka::PartitionOffset> ask;
  for (const auto& p : unknown) {
    auto pos = positions.find({p.topic, p.partition});
    PartitionState* state = partitions_.find({p.topic, p.partition});
    if (state && !state->group_committed && (pos == positions.end() || pos->second < 0))
      ask.push_back(p);
  }
  if (ask.empty()) return;
  const std::vector<int64_t> committed = consumer.committed(ask, kCommittedTimeoutMs);
  for (size_t i = 0; i < ask.size(); ++i) {
    if (PartitionState* state = partitions_.find({ask[i].topic, ask[i].partition}))
      state->group_committed = std::max<int64_t>(committed[i], -1);
  }
}

int64_t Gauges::refresh(const std::string& input, kafka::Consumer& consumer, int assigned,
                        bool connected, int64_t now_ms) {
  auto inputs_of = [](const PartitionState& state) {
    LagInputs in;
    in.committable = state.tracker.committable();
    in.first_consumed = state.first_consumed;
    in.committed = state.committed;
    return in;
  };
  // One request for every partition that needs its fetch position.
  std::map<TopicPartition, int64_t> positions;
  std::vector<kafka::PartitionOffset> unknown;
  for (const auto& [tp, state] : partitions_.all()) {
    if (needs_position(inputs_of(*state))) unknown.push_back({tp.first, tp.second});
  }
  if (!unknown.empty()) {
    if (auto found = consumer.positions(unknown)) {
      for (size_t i = 0; i < unknown.size(); ++i)
        positions[{unknown[i].topic, unknown[i].partition}] = (*found)[i];
    }
    ask_group_committed(consumer, unknown, positions);
  }
  int64_t total_lag = 0;
  int64_t input_lag = 0;
  for (const auto& [tp, state] : partitions_.all()) {
    std::optional<kafka::Watermarks> marks = consumer.cached_watermarks(tp.first, tp.second);
    if (!marks) continue;
    LagInputs in = inputs_of(*state);
    in.low = marks->low;
    in.high = marks->high;
    if (auto pos = positions.find(tp); pos != positions.end()) in.position = pos->second;
    in.group_committed = state->group_committed;
    std::optional<int64_t> lag = partition_lag(in);
    if (!lag) continue;  // not known yet: next time
    double seconds = *lag > 0 && !state->pending.empty()
                         ? double(now_ms - state->pending.front()->timestamp_ms) / 1000.0
                         : 0.0;
    metrics_.lag(tp.first, tp.second, *lag, std::max(seconds, 0.0));
    total_lag += *lag;
    if (tp.first == input) input_lag += *lag;
  }
  degradation_.observe(total_lag, measure_memory_ ? resident_bytes() : 0, mono_ms(), now_ms);
  metrics_.degraded(degradation_.level() >= DegradationLevel::kSoft);
  for (CircuitBreaker* b : breakers_.all())
    metrics_.breaker_state(b->config().name, int(b->state()), b->times_opened());
  metrics_.assigned(assigned);
  metrics_.connected(connected, connected);
  return input_lag;
}

}  // namespace sluice::pipeline
