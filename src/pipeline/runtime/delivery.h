// Delivery: producing a record's outputs and hearing back about them.
//
// Invariant (DESIGN.md's delivery contract): a record is settled exactly once
// per attempt, after every output of that attempt was reported — acknowledged
// with acks=all by the idempotent producer, or failed — and only after the
// runtime handled the worker's outcome. Settling marks the offset done when
// every output was acknowledged; otherwise the record goes back to the head of
// its partition and is processed again (at-least-once, never lost).
//
// Producer renewal: an idempotent producer whose producer id the cluster no
// longer accepts (its fatal error, OUT_OF_ORDER_SEQUENCE_NUMBER after lost
// producer state, a fenced epoch) fails every send for ever. Delivery then
// replaces it with a new one (a new producer id, sequences from 0) without
// losing or doubling a record: workers are held off the producer; records not
// yet sent are purged (never written, so producing them again cannot double
// them); records in flight finish on their own (bounded wait) and report as
// usual; every failed record goes back to its partition and is processed
// again, as any failed delivery is. Only a record still in flight when the
// bounded wait ends is purged unanswered, and may then be written twice
// (at-least-once, never lost) — logged when it happens.
//
// Threads: produce_outputs() runs on workers; everything else, delivery
// reports and renewal included, on the poll thread.
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/producer.h"
#include "pipeline/pipeline_config.h"
#include "pipeline/record.h"
#include "pipeline/runtime/in_flight.h"
#include "pipeline/runtime/partition_table.h"
#include "pipeline/runtime/progress_watchdog.h"
#include "pipeline/stage_metrics.h"

namespace sluice::pipeline {

class Delivery : public kafka::DeliveryListener {
 public:
  // A record whose outputs failed is processed again after this long.
  static constexpr int64_t kRedeliveryBackoffMs = 1000;

  // How long a renewal waits for records already sent to be answered.
  static constexpr int64_t kRenewalDrainMs = 10000;
  // Renewals are spaced at least this far apart, doubling up to the maximum
  // while deliveries keep failing (a new producer id does not cure everything).
  static constexpr int64_t kRenewalMinGapMs = 1000;
  static constexpr int64_t kRenewalMaxGapMs = 60000;

  // Throws kafka::KafkaError if the producer cannot be created. `watchdog`
  // (optional) hears of every settled record.
  Delivery(const kafka::ClientOptions& producer, const StageConfig& stage,
           PartitionTable& partitions, StageMetrics& metrics, kafka::ErrorListener on_error,
           ProgressWatchdog* watchdog = nullptr);

  // On a worker: adds the trace header and key salt, then hands every output to
  // the producer, waiting while its local queue is full.
  void produce_outputs(const std::shared_ptr<InFlight>& job, std::vector<OutputRecord>& outputs);
  // The worker's outputs for `job` are out and its outcome handled: from now on
  // the last report settles it (at once, if they were all reported already).
  void outcome_handled(std::shared_ptr<InFlight> job);
  // On the poll thread: produces `outputs` (a DLQ or delay-topic copy) for `job`;
  // with none, the record is done at once.
  void send(std::shared_ptr<InFlight> job, std::vector<OutputRecord> outputs);
  // On the poll thread: produces a tick's outputs for partition `tp`. They hold
  // the partition unacknowledged (no checkpoint, no revocation) until every one
  // is acknowledged; then the partition's state_changed is set. Failed ones are
  // sent again by retry_ticks(), never recomputed.
  void send_tick(const TopicPartition& tp, std::vector<OutputRecord> outputs);
  // On the poll thread: sends again the ticks whose delivery failed, once their
  // backoff passed; drops those of partitions revoked meanwhile (the next owner
  // restores the state from before the tick, and its own tick emits them).
  // Returns how many ticks it sent again.
  int retry_ticks(int64_t mono_now);

  // The offset the watchdog knows a tick's failures by: ticks belong to no record.
  static constexpr int64_t kTickOffset = -1;

  // Serves delivery reports; returns how many events were served.
  int poll(int timeout_ms) { return producer_->poll(timeout_ms); }
  // The producer's reports wake this eventfd (kept across renewals).
  void notify(int fd);
  // On the poll thread: replaces the producer when one of its errors asked for
  // it and the spacing allows; true if it did. Throws kafka::KafkaError if the
  // new producer cannot be created.
  bool renew_if_needed(int64_t mono_now);
  int64_t renewals() const { return renewals_; }
  // A worker waiting on a full producer queue gives up (the runtime is being torn down).
  void abandon() { abandon_ = true; }
  kafka::Producer& producer() { return *producer_; }

  void delivered(const kafka::Delivery& d) override;

 private:
  void report(InFlight* job, std::string_view topic, kafka::ErrorCode err);
  void settle(InFlight* job);
  void settle_tick(std::shared_ptr<InFlight> job);
  void produce_tick(const std::shared_ptr<InFlight>& job);
  // Poll thread: sends each output with `raw` as the opaque; a full local queue
  // is drained by serving delivery reports here, any other refusal is reported.
  void produce_from_poll_thread(InFlight* raw, const std::vector<OutputRecord>& outputs);
  // Serves reports until none is outstanding or `deadline` (mono ms) passed.
  void drain(int64_t deadline);
  std::unique_ptr<kafka::Producer> new_producer();

  std::string stage_;
  int key_salt_;
  PartitionTable& partitions_;
  StageMetrics& metrics_;
  ProgressWatchdog* watchdog_;
  kafka::ClientOptions producer_options_;
  kafka::ErrorListener on_error_;
  int notify_fd_ = -1;
  std::atomic<bool> abandon_{false};
  // Set by any report or error event that only a new producer id clears; the
  // reason is read on the poll thread only.
  std::atomic<bool> renewal_wanted_{false};
  std::string renewal_reason_;
  int64_t next_renewal_ms_ = 0;  // poll thread only (mono)
  int64_t renewal_gap_ms_ = kRenewalMinGapMs;
  int64_t renewals_ = 0;
  // Workers produce under the shared lock, one record at a time; a renewal
  // swaps the producer under the exclusive one.
  std::shared_mutex producing_mu_;
  std::vector<std::shared_ptr<InFlight>> failed_ticks_;  // poll thread only
  std::unique_ptr<kafka::Producer> producer_;  // last: its reports reach the members above
};

}  // namespace sluice::pipeline
