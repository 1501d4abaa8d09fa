// The stage runtime: consume -> process -> produce for one stage, over
// kafka::Consumer and kafka::Producer (never the broker's internals), so it runs
// unchanged against the built-in broker, Apache Kafka or Redpanda.
//
// Delivery contract (DESIGN.md): an input offset is committed only after every
// output it produced — DLQ and delay-topic copies included — was acknowledged
// with acks=all by an idempotent producer. Records of one partition are
// processed in offset order (in_flight_per_partition at a time); a record
// waiting for a retry holds back only its own partition.
//
// Threads: one poll thread owns the consumer, the producer's delivery reports
// and all per-partition state; worker threads only run Processor::process()
// (and produce its outputs) and hand the outcome back through a queue. So no
// per-partition state is shared.
//
// The runtime composes parts that each do one job (src/pipeline/runtime/):
// PartitionTable (partition state and committable offsets), Delivery (produce
// and acknowledgements), FailureRouter (retry, delay topics, DLQ), FlowControl
// (buffer bounds, pause/resume), Assignment (assign, revoke, catch-up),
// BatchRunner (the hand-off to workers and back), BreakerSet, DegradationController,
// Gauges and ProgressWatchdog (is the stage stuck?). What is left here is the
// poll loop that drives them.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kafka/consumer.h"
#include "ops/metrics.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"
#include "pipeline/runtime/assignment.h"
#include "pipeline/runtime/batch_runner.h"
#include "pipeline/runtime/breaker_set.h"
#include "pipeline/runtime/degradation.h"
#include "pipeline/runtime/delivery.h"
#include "pipeline/runtime/failure_routing.h"
#include "pipeline/runtime/flow_control.h"
#include "pipeline/runtime/gauges.h"
#include "pipeline/runtime/partition_table.h"
#include "pipeline/runtime/progress_watchdog.h"
#include "pipeline/spill/stage_spill.h"
#include "pipeline/stage_metrics.h"
#include "pipeline/state/partition_states.h"
#include "pipeline/wakeup.h"
#include "pipeline/worker_pool.h"

namespace sluice::pipeline {

struct StageStatus {
  std::string stage;
  bool paused = false;
  int assigned_partitions = 0;
  int64_t buffered = 0;
  int64_t in_flight = 0;
  int64_t processed = 0;
  int64_t dead_lettered = 0;
};

class StageRuntime {
 public:
  // Throws std::runtime_error (kafka::KafkaError, with librdkafka's reason) if a
  // client cannot be created, std::invalid_argument if a stateful processor has
  // no `checkpoints` store.
  StageRuntime(const PipelineConfig& pipeline, const StageConfig& stage,
               std::unique_ptr<Processor> processor, ops::MetricsRegistry& metrics,
               CheckpointStore* checkpoints = nullptr);
  ~StageRuntime();

  // Consumes until stop(); then finishes in-flight work (bounded by the stage's
  // shutdown timeout), commits and leaves the group.
  void run();
  void stop() { stopping_ = true; }
  // Run-once mode for catch-up jobs: stop once every partition assigned is
  // committed up to the end offset it had when it was assigned.
  void stop_when_caught_up() { assignment_.stop_when_caught_up(); }
  void pause() { operator_paused_ = true; }
  void resume() { operator_paused_ = false; }
  StageStatus status() const;
  // Why the stage cannot make progress (ProgressWatchdog), if it cannot; any thread.
  std::optional<Stall> stall() const { return watchdog_.stall(); }
  // nullptr when the stage has no breaker of that name.
  CircuitBreaker* breaker(const std::string& name) { return breakers_.find(name); }
  std::vector<CircuitBreaker*> breakers() { return breakers_.all(); }
  DegradationController& degradation() { return degradation_; }

 private:
  void poll_once();
  bool read_input();
  void dispatch();
  Batch take_batch(PartitionState& state, int64_t now, int64_t mono);
  bool drain_completions();
  void handle_outcome(std::shared_ptr<InFlight> job, Outcome outcome, double seconds, bool sent);
  void handle_failure(std::shared_ptr<InFlight> job, const Outcome& outcome);
  // At GRACEFUL and above: whether the head record is one the stage still processes.
  bool is_priority(InFlight& head);
  // Produces the record to the parked topic; it is done once that is acknowledged.
  void park(std::shared_ptr<InFlight> job);
  void apply_flow_control();
  void commit(bool sync, const std::vector<TopicPartition>* only = nullptr);
  // Checkpoints the state of the partitions whose offset moved (see the pacing
  // rule in stage_runtime.cc; `force` ignores it).
  void checkpoint_state(const std::vector<TopicPartition>* only, bool force);
  void commit_quiet_checkpoints();
  void tick_quiet_partitions();
  void drain_partitions(const std::vector<TopicPartition>& parts, int64_t deadline_ms);
  void on_client_error(kafka::ErrorCode err, const std::string& reason);
  void throw_if_login_refused();
  std::vector<std::string> subscribed_topics() const;

  PipelineConfig pipeline_;
  StageConfig stage_;
  std::unique_ptr<Processor> processor_;
  std::unique_ptr<PartitionStates> states_;  // a stateful processor's checkpoints
  StageMetrics metrics_;
  BreakerSet breakers_;
  FailureRouter router_;
  DegradationController degradation_;
  // AGGRESSIVE's spill in front of the processor's durable sink
  // (degradation.spill_dir), or null; when set, the runtime sees it instead.
  std::unique_ptr<spill::StageSpill> spill_;
  DurableSink* sink_ = nullptr;  // the processor's, when it buffers into an external store
  FlowControl flow_;
  PartitionTable partitions_;  // poll thread only, apart from its counters
  Gauges gauges_;
  ProgressWatchdog watchdog_;
  Assignment assignment_;
  Wakeup wakeup_;  // before the clients: they write to it until they are destroyed
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<Delivery> delivery_;
  std::unique_ptr<BatchRunner> batches_;
  std::unique_ptr<WorkerPool> workers_;  // last: its threads use everything above

  std::atomic<bool> stopping_{false};
  std::atomic<bool> operator_paused_{false};
  std::atomic<bool> connected_{true};
  std::mutex login_refused_mutex_;
  std::string login_refused_;  // librdkafka's reason; set by the clients' error listeners
  bool idle_ = false;          // poll thread only: the last iteration found nothing to do
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> processed_{0};
  std::atomic<int64_t> dead_lettered_{0};
  // Batches from delay topics may hold at most this many workers at once, so
  // retries of a slow or hanging dependency can never starve the input.
  int retry_batch_budget_ = 1;
  int retry_batches_running_ = 0;    // poll thread only
  int input_partitions_ = 1;         // the input topic's, for the topics the stage creates
  bool parked_topic_ready_ = false;  // poll thread only: created when first needed
  int64_t next_commit_ms_ = 0;
  int64_t next_gauges_ms_ = 0;
  int64_t next_tick_ms_ = 0;
};

}  // namespace sluice::pipeline
