// Partition state: for every partition the stage owns, the records consumed and
// not yet handed to a worker (in offset order), those a sink holds until they
// are durable, and which offsets may be committed.
//
// Invariants (poll thread only, apart from the counters):
//  - a partition's records are handed out in offset order: a record taken back
//    (a retry, or one a worker did not get to) goes to the head, never behind
//    records consumed after it;
//  - buffered() and buffered_bytes() always equal the count and payload bytes
//    of the pending records of owned partitions, deferred() the records sinks
//    hold — so flow control sees exactly what is in memory;
//  - a partition's committed offset only moves forward, and never past a record
//    that is not done (OffsetTracker), except to a sink's resume offset, below
//    which everything is durable in the sink; for a stateful processor, never
//    past its last state checkpoint.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "kafka/types.h"
#include "pipeline/offset_tracker.h"
#include "pipeline/processor.h"
#include "pipeline/runtime/in_flight.h"

namespace sluice::pipeline {

struct PartitionState {
  // Which ownership of the partition this is: a partition revoked and assigned
  // again gets a new state with a new generation, so that reports about records
  // (and ticks) of the old ownership find no owner instead of the new one.
  uint64_t generation = 0;
  std::deque<std::shared_ptr<InFlight>> pending;    // consumed, not yet handed to a worker
  std::vector<std::shared_ptr<InFlight>> deferred;  // buffered by the sink, not yet durable
  // The sink's durable_through() at the last settle: below it a deferred record
  // is durable already, and while it stays the same no deferred record can have
  // become durable, so the settle skips the partition (a sink holds up to
  // queue.max_buffered_records records; scanning them all at every poll cost
  // the table sink's stage a sixth of its CPU).
  int64_t settled_through = -1;
  int running = 0;  // batches being processed (bounded by in_flight_per_partition)
  int unacked = 0;  // processed, outputs not yet acknowledged
  OffsetTracker tracker;
  int64_t committed = -1;
  int64_t wait_until_ms = 0;     // in-process backoff of the head record (monotonic)
  int64_t first_consumed = -1;   // offset of the first record consumed since assignment
  int64_t catch_up_target = -1;  // --until-caught-up: the end offset when assigned (-1: none)
  int64_t start = -1;            // where consumption started, for the same check
  // A sink's resume offset: everything below is durable in the sink, so it may
  // be committed even if nothing more is ever consumed (-1: none). Without it a
  // sink that made records durable and died before Kafka's commit would leave
  // the group's offset behind forever once the topic goes quiet.
  int64_t sink_resume = -1;
  // The group's committed offset when assigned, asked for once by the gauges for
  // a partition whose fetch position is unknown (nullopt: not asked yet; -1: none).
  std::optional<int64_t> group_committed;
  // A stateful processor's partition (pipeline/state/partition_states.h): its
  // commits never pass its last state checkpoint, and while a checkpoint is due
  // no new batch starts, so the partition soon has nothing running or
  // unacknowledged and its state can be snapshot exactly.
  bool stateful = false;
  int64_t checkpointed = -1;
  bool checkpoint_due = false;
  int64_t next_checkpoint_ms = 0;  // mono: an unforced checkpoint waits until then (pacing)
  // A tick changed the processor's state and its outputs are acknowledged:
  // checkpoint even if the offset did not move, or a restart would emit them again.
  bool state_changed = false;
};

class PartitionTable {
 public:
  using Map = std::map<TopicPartition, std::unique_ptr<PartitionState>>;

  // The partition a consumed message belongs to, created on first sight and
  // remembered between calls: consumed messages come in runs from one
  // partition, and the map lookup would build a topic string per message.
  // `topic_id` identifies the topic (kafka::ConsumedMessage::topic_id()).
  PartitionState& of(const void* topic_id, const char* topic, int32_t partition,
                     const TopicPartition** tp);
  PartitionState* find(const TopicPartition& tp);
  // The state `job` was consumed (or ticked) under, or nullptr when that
  // ownership ended, even if the partition is owned again.
  PartitionState* owner(const TopicPartition& tp, uint64_t generation);
  PartitionState* owner(const InFlight& job) { return owner(job.tp, job.generation); }
  PartitionState& assign(const TopicPartition& tp);  // created unless already owned
  // Forgets the partition and everything it holds (its next owner re-reads it).
  void revoke(const TopicPartition& tp);
  Map& all() { return partitions_; }
  const Map& all() const { return partitions_; }
  bool empty() const { return partitions_.empty(); }

  // A freshly consumed record, at the tail; its offset is tracked from now on
  // (under this ownership: the record carries the state's generation).
  void accept(PartitionState& state, std::shared_ptr<InFlight> job);
  // The head record, handed to a worker.
  std::shared_ptr<InFlight> take_head(PartitionState& state);
  // A record a worker did not process, back at the head.
  void put_back(PartitionState& state, std::shared_ptr<InFlight> job);
  // A record to process again, at the head, after its partition waited until
  // `wait_until_ms` (monotonic). False when the partition was revoked meanwhile
  // (its next owner re-consumes the record).
  bool requeue(std::shared_ptr<InFlight> job, int64_t wait_until_ms);
  // The record's outputs (or DLQ copy) are acknowledged: its offset may be committed.
  void done(const InFlight& job);
  // A record a sink buffered; done once the sink says it is durable. False when revoked.
  bool defer(std::shared_ptr<InFlight> job);
  // Marks done every deferred record below what `sink` made durable.
  void settle_deferred(DurableSink& sink);

  // The offsets to commit now (of every partition, or of `only`), each marked
  // committed: only partitions whose committable offset moved forward.
  std::vector<kafka::PartitionOffset> take_commits(
      const std::vector<TopicPartition>* only = nullptr);
  // Any of `parts` has a batch on a worker or outputs awaiting acknowledgement.
  bool busy(const std::vector<TopicPartition>& parts) const;
  // Every partition with a catch-up target committed up to it, nothing in flight.
  bool caught_up() const;

  int64_t buffered() const { return buffered_; }
  int64_t buffered_bytes() const { return buffered_bytes_; }
  int64_t deferred() const { return deferred_; }

 private:
  std::unique_ptr<PartitionState> new_state();  // with the next generation

  Map partitions_;
  uint64_t last_generation_ = 0;
  struct {
    const void* topic_id = nullptr;
    int32_t partition = -1;
    const TopicPartition* tp = nullptr;
    PartitionState* state = nullptr;
  } last_;  // of()'s memo; reset whenever partitions_ loses an entry
  // Read by status() from other threads.
  std::atomic<int64_t> buffered_{0};
  std::atomic<int64_t> buffered_bytes_{0};
  std::atomic<int64_t> deferred_{0};
};

}  // namespace sluice::pipeline
