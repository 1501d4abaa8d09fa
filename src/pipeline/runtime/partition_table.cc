#include "pipeline/runtime/partition_table.h"

#include <algorithm>

namespace sluice::pipeline {

PartitionState& PartitionTable::of(const void* topic_id, const char* topic, int32_t partition,
                                   const TopicPartition** tp) {
  if (last_.state && last_.topic_id == topic_id && last_.partition == partition) {
    *tp = last_.tp;
    return *last_.state;
  }
  auto it = partitions_.try_emplace({topic, partition}).first;
  if (!it->second) it->second = new_state();
  last_ = {topic_id, partition, &it->first, it->second.get()};
  *tp = &it->first;
  return *it->second;
}

PartitionState* PartitionTable::find(const TopicPartition& tp) {
  auto it = partitions_.find(tp);
  return it == partitions_.end() ? nullptr : it->second.get();
}

PartitionState& PartitionTable::assign(const TopicPartition& tp) {
  auto& state = partitions_[tp];
  if (!state) state = new_state();
  return *state;
}

std::unique_ptr<PartitionState> PartitionTable::new_state() {
  auto state = std::make_unique<PartitionState>();
  state->generation = ++last_generation_;
  return state;
}

PartitionState* PartitionTable::owner(const TopicPartition& tp, uint64_t generation) {
  PartitionState* state = find(tp);
  return state && state->generation == generation ? state : nullptr;
}

void PartitionTable::revoke(const TopicPartition& tp) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return;
  for (const auto& job : it->second->pending) {
    buffered_ -= 1;
    buffered_bytes_ -= job->bytes;
  }
  deferred_ -= int64_t(it->second->deferred.size());
  last_ = {};
  partitions_.erase(it);
}

void PartitionTable::accept(PartitionState& state, std::shared_ptr<InFlight> job) {
  job->generation = state.generation;
  state.tracker.track(job->offset);
  if (state.first_consumed < 0) state.first_consumed = job->offset;
  buffered_ += 1;
  buffered_bytes_ += job->bytes;
  state.pending.push_back(std::move(job));
}

std::shared_ptr<InFlight> PartitionTable::take_head(PartitionState& state) {
  std::shared_ptr<InFlight> job = std::move(state.pending.front());
  state.pending.pop_front();
  buffered_ -= 1;
  buffered_bytes_ -= job->bytes;
  return job;
}

void PartitionTable::put_back(PartitionState& state, std::shared_ptr<InFlight> job) {
  buffered_ += 1;
  buffered_bytes_ += job->bytes;
  state.pending.push_front(std::move(job));
}

bool PartitionTable::requeue(std::shared_ptr<InFlight> job, int64_t wait_until_ms) {
  PartitionState* state = owner(*job);
  if (!state) return false;
  state->wait_until_ms = wait_until_ms;
  put_back(*state, std::move(job));
  return true;
}

void PartitionTable::done(const InFlight& job) {
  if (PartitionState* state = owner(job)) state->tracker.done(job.offset);
}

bool PartitionTable::defer(std::shared_ptr<InFlight> job) {
  PartitionState* state = owner(*job);
  if (!state) return false;
  // The sink may have made it durable between process() and now (another thread flushed).
  if (job->offset < state->settled_through) {
    state->tracker.done(job->offset);
    return true;
  }
  deferred_ += 1;
  state->deferred.push_back(std::move(job));
  return true;
}

void PartitionTable::settle_deferred(DurableSink& sink) {
  for (auto& [tp, state] : partitions_) {
    if (state->deferred.empty()) continue;
    const int64_t durable = sink.durable_through(tp.first, tp.second);
    if (durable == state->settled_through) continue;
    state->settled_through = durable;
    std::erase_if(state->deferred, [&, &state = state](const std::shared_ptr<InFlight>& job) {
      if (job->offset >= durable) return false;
      state->tracker.done(job->offset);
      deferred_ -= 1;
      return true;
    });
  }
}

std::vector<kafka::PartitionOffset> PartitionTable::take_commits(
    const std::vector<TopicPartition>* only) {
  std::vector<kafka::PartitionOffset> offsets;
  auto add = [&](const TopicPartition& tp, PartitionState& state) {
    int64_t c = std::max(state.tracker.committable(), state.sink_resume);
    if (state.stateful) c = std::min(c, state.checkpointed);
    if (c <= state.committed) return;
    offsets.push_back({tp.first, tp.second, c});
    state.committed = c;
  };
  if (only) {
    for (const auto& tp : *only) {
      if (PartitionState* state = find(tp)) add(tp, *state);
    }
  } else {
    for (auto& [tp, state] : partitions_) add(tp, *state);
  }
  return offsets;
}

bool PartitionTable::busy(const std::vector<TopicPartition>& parts) const {
  for (const auto& tp : parts) {
    auto it = partitions_.find(tp);
    if (it != partitions_.end() && (it->second->running > 0 || it->second->unacked > 0))
      return true;
  }
  return false;
}

bool PartitionTable::caught_up() const {
  if (partitions_.empty()) return false;
  for (const auto& [tp, state] : partitions_) {
    if (state->catch_up_target < 0)
      continue;  // assigned later, e.g. a retry topic created meanwhile
    int64_t reached = std::max({state->start, state->committed, state->tracker.committable()});
    if (reached < state->catch_up_target || state->running > 0 || state->unacked > 0) return false;
  }
  return true;
}

}  // namespace sluice::pipeline
