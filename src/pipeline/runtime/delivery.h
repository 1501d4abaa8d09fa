// Delivery: producing a record's outputs and hearing back about them.
//
// Invariant (DESIGN.md's delivery contract): a record is settled exactly once
// per attempt, after every output of that attempt was reported — acknowledged
// with acks=all by the idempotent producer, or failed — and only after the
// runtime handled the worker's outcome. Settling marks the offset done when
// every output was acknowledged; otherwise the record goes back to the head of
// its partition and is processed again (at-least-once, never lost).
//
// Threads: produce_outputs() runs on workers; everything else, delivery
// reports included, on the poll thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/producer.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/record.h"
#include "pipeline/runtime/in_flight.h"
#include "pipeline/runtime/partition_table.h"
#include "pipeline/stage_metrics.h"

namespace sluice::pipeline {

class Delivery : public kafka::DeliveryListener {
 public:
  // A record whose outputs failed is processed again after this long.
  static constexpr int64_t kRedeliveryBackoffMs = 1000;

  // Throws kafka::KafkaError if the producer cannot be created.
  Delivery(const kafka::ClientOptions& producer, const StageConfig& stage,
           PartitionTable& partitions, StageMetrics& metrics, kafka::ErrorListener on_error);

  // On a worker: adds the trace header and key salt, then hands every output to
  // the producer, waiting while its local queue is full.
  void produce_outputs(const std::shared_ptr<InFlight>& job, std::vector<OutputRecord>& outputs);
  // The worker's outputs for `job` are out and its outcome handled: from now on
  // the last report settles it (at once, if they were all reported already).
  void outcome_handled(std::shared_ptr<InFlight> job);
  // On the poll thread: produces `outputs` (a DLQ or delay-topic copy) for `job`;
  // with none, the record is done at once.
  void send(std::shared_ptr<InFlight> job, std::vector<OutputRecord> outputs);

  // Serves delivery reports; returns how many events were served.
  int poll(int timeout_ms) { return producer_->poll(timeout_ms); }
  // A worker waiting on a full producer queue gives up (the runtime is being torn down).
  void abandon() { abandon_ = true; }
  kafka::Producer& producer() { return *producer_; }

  void delivered(const kafka::Delivery& d) override;

 private:
  void report(InFlight* job, std::string_view topic, kafka::ErrorCode err);
  void settle(InFlight* job);

  std::string stage_;
  int key_salt_;
  PartitionTable& partitions_;
  StageMetrics& metrics_;
  std::atomic<bool> abandon_{false};
  std::unique_ptr<kafka::Producer> producer_;  // last: its reports reach the members above
};

}  // namespace sluice::pipeline
