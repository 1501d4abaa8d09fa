// The stage runtime: consume -> process -> produce for one stage, over
// librdkafka (never the broker's internals), so it runs unchanged against the
// built-in broker, Apache Kafka or Redpanda.
//
// Delivery contract (DESIGN.md): an input offset is committed only after every
// output it produced — DLQ and delay-topic copies included — was acknowledged
// with acks=all by an idempotent producer. Records of one partition are
// processed in offset order (in_flight_per_partition at a time); a record
// waiting for a retry holds back only its own partition.
//
// Threads: one poll thread owns the consumer, the producer's delivery reports
// and all per-partition state; worker threads only run Processor::process()
// and hand the outcome back through a queue. So no per-partition state is shared.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "ops/metrics.h"
#include "pipeline/circuit_breaker.h"
#include "pipeline/offset_tracker.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/processor.h"
#include "pipeline/retry_policy.h"
#include "pipeline/stage_metrics.h"
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
  // client cannot be created.
  StageRuntime(const PipelineConfig& pipeline, const StageConfig& stage,
               std::unique_ptr<Processor> processor, ops::MetricsRegistry& metrics);
  ~StageRuntime();

  // Consumes until stop(); then finishes in-flight work (bounded by the stage's
  // shutdown timeout), commits and leaves the group.
  void run();
  void stop() { stopping_ = true; }
  // Run-once mode for catch-up jobs: stop once every partition assigned is
  // committed up to the end offset it had when it was assigned.
  void stop_when_caught_up() { until_caught_up_ = true; }
  void pause() { operator_paused_ = true; }
  void resume() { operator_paused_ = false; }
  StageStatus status() const;
  // nullptr when the stage has no breaker of that name.
  CircuitBreaker* breaker(const std::string& name);
  std::vector<CircuitBreaker*> breakers();

 private:
  struct PartitionState;
  struct InFlight;
  struct Completion;
  class Rebalancer;
  class Deliveries;
  using TopicPartition = std::pair<std::string, int32_t>;

  void poll_once();
  bool read_input();
  // Buffers one consumed message (taking ownership); returns its topic.
  const std::string& accept(kafka::ConsumedMessage m);
  PartitionState& partition_of(const kafka::ConsumedMessage& m, const TopicPartition** tp);
  void dispatch();
  using Batch = std::vector<std::shared_ptr<InFlight>>;
  Batch take_batch(PartitionState& state, int64_t now, int64_t mono);
  void run_batch(const TopicPartition& tp, const Batch& batch);
  bool drain_completions();
  void handle_outcome(std::shared_ptr<InFlight> job, Outcome outcome, double seconds, bool sent);
  void produce_outputs(const std::shared_ptr<InFlight>& job, std::vector<OutputRecord>& outputs);
  void settle(InFlight* job);
  void handle_failure(std::shared_ptr<InFlight> job, const Outcome& outcome);
  void send(std::shared_ptr<InFlight> job, std::vector<OutputRecord> outputs);
  void delivered(InFlight* job, std::string_view topic, kafka::ErrorCode err);
  void finish(InFlight& job);
  void defer(std::shared_ptr<InFlight> job);
  void settle_deferred();
  void requeue(std::shared_ptr<InFlight> job, int64_t backoff_ms);
  void apply_flow_control();
  void commit(bool sync, const std::vector<TopicPartition>* only = nullptr);
  void drain_partitions(const std::vector<TopicPartition>& parts, int64_t deadline_ms);
  void on_assign(std::vector<kafka::PartitionOffset>& parts);
  void on_revoke(const std::vector<kafka::PartitionOffset>& parts);
  void refresh_gauges();
  void apply_lag_policies(int64_t total_lag);
  bool any_breaker_open();
  void record_catch_up_targets(const std::vector<kafka::PartitionOffset>& parts);
  bool caught_up() const;
  bool breakers_allow(std::vector<CircuitBreaker*>& permits);
  std::vector<std::string> subscribed_topics() const;

  PipelineConfig pipeline_;
  StageConfig stage_;
  std::unique_ptr<Processor> processor_;
  DurableSink* sink_ = nullptr;  // the processor's, when it buffers into an external store
  StageMetrics metrics_;
  RetryPolicy retry_;
  std::map<std::string, std::unique_ptr<CircuitBreaker>> breakers_;
  // Breaker "lag" (halt_lag_threshold): only ever forced open, never charged with failures.
  std::unique_ptr<CircuitBreaker> lag_breaker_;
  bool degraded_ = false;  // poll thread only: over degrade_lag_threshold
  // poll thread only: the halt trips once, then re-arms only after lag fell back under
  // the threshold, so an operator's `breaker close lag` lets the stage catch up.
  bool lag_halt_armed_ = true;

  std::unique_ptr<Rebalancer> rebalancer_;
  std::unique_ptr<Deliveries> deliveries_;
  Wakeup wakeup_;  // before the clients: they write to it until they are destroyed
  std::unique_ptr<kafka::Consumer> consumer_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<WorkerPool> workers_;

  std::map<TopicPartition, std::unique_ptr<PartitionState>> partitions_;  // poll thread only
  struct {
    const void* topic_id = nullptr;
    int32_t partition = -1;
    const TopicPartition* tp = nullptr;
    PartitionState* state = nullptr;
  } last_partition_;  // partition_of()'s memo; reset whenever partitions_ loses an entry
  std::atomic<bool> abandon_produce_{false};
  std::mutex completions_mu_;
  std::vector<Completion> completions_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> operator_paused_{false};
  bool consumer_paused_ = false;  // poll thread only: partitions paused in librdkafka
  int64_t full_since_ms_ =
      0;               // poll thread only: when reading stopped for a full buffer (0: reading)
  bool idle_ = false;  // poll thread only: the last iteration found nothing to do
  std::atomic<int64_t> buffered_{0};
  std::atomic<int64_t> buffered_bytes_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int64_t> deferred_{0};  // processed, waiting for the sink to make them durable
  std::atomic<int64_t> processed_{0};
  std::atomic<int64_t> dead_lettered_{0};
  std::atomic<int> assigned_{0};
  bool until_caught_up_ = false;
  int64_t next_commit_ms_ = 0;
  int64_t next_gauges_ms_ = 0;
};

}  // namespace sluice::pipeline
