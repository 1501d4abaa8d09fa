#include "pipeline/runtime/delivery.h"

#include <chrono>
#include <thread>

#include "common/clock.h"
#include "common/log.h"

namespace sluice::pipeline {

Delivery::Delivery(const kafka::ClientOptions& producer, const StageConfig& stage,
                   PartitionTable& partitions, StageMetrics& metrics, kafka::ErrorListener on_error)
    : stage_(stage.name),
      key_salt_(stage.output_key_salt),
      partitions_(partitions),
      metrics_(metrics),
      producer_(std::make_unique<kafka::Producer>(producer, this, std::move(on_error))) {}

void Delivery::produce_outputs(const std::shared_ptr<InFlight>& job,
                               std::vector<OutputRecord>& outputs) {
  for (auto& out : outputs) {
    bool has_trace = false;
    for (const auto& [k, v] : out.headers) has_trace = has_trace || k == header::kTraceId;
    if (!has_trace) out.headers.emplace_back(header::kTraceId, job->record.trace_id);
    // Salting spreads a hot key over partitions; the input offset makes it the same on a retry.
    if (key_salt_ > 0 && out.key) *out.key += "_" + std::to_string(job->offset % key_salt_);
  }
  job->produce_errors.clear();
  job->remaining = int(outputs.size());
  job->self = job;  // librdkafka holds the raw pointer as the opaque until the last report
  for (auto& out : outputs) {
    for (;;) {
      kafka::ErrorCode rc = producer_->produce(out, job.get());
      if (rc == 0) break;
      // A full local queue drains as the poll thread serves delivery reports;
      // only a runtime being torn down gives up (the record is then retried
      // by whoever owns the partition next).
      if (!kafka::is_queue_full(rc) || abandon_) {
        job->produce_errors.push_back({out.topic, rc});
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

void Delivery::outcome_handled(std::shared_ptr<InFlight> job) {
  if (PartitionState* state = partitions_.find(job->tp)) state->unacked += 1;
  job->outcome_handled = true;
  for (const auto& e : job->produce_errors) report(job.get(), e.topic, e.err);
  if (job->self && job->remaining == 0) settle(job.get());
}

void Delivery::send(std::shared_ptr<InFlight> job, std::vector<OutputRecord> outputs) {
  if (outputs.empty()) return partitions_.done(job->tp, job->offset);
  job->remaining = int(outputs.size());
  if (PartitionState* state = partitions_.find(job->tp)) state->unacked += 1;
  InFlight* raw = job.get();
  raw->self = job;  // librdkafka holds `raw` as the opaque until the last delivery report
  raw->outcome_handled = true;
  for (auto& out : outputs) {
    for (;;) {
      kafka::ErrorCode rc = producer_->produce(out, raw);
      if (rc == 0) break;
      if (!kafka::is_queue_full(rc)) {
        report(raw, out.topic, rc);
        break;
      }
      producer_->poll(10);  // the local queue is full: serve delivery reports, then retry
    }
  }
}

void Delivery::delivered(const kafka::Delivery& d) {
  report(static_cast<InFlight*>(d.opaque), d.topic, d.error);
}

void Delivery::report(InFlight* raw, std::string_view topic, kafka::ErrorCode err) {
  if (err) {
    raw->delivery_failed = true;
    log::warn("stage", "stage '{}': delivery to {} failed: {}", stage_, topic,
              kafka::error_text(err));
  } else {
    metrics_.produced(topic);
  }
  if (--raw->remaining > 0 || !raw->outcome_handled) return;
  settle(raw);
}

// Every output of this attempt is acknowledged or failed: commit it, or process it again.
void Delivery::settle(InFlight* raw) {
  std::shared_ptr<InFlight> job = std::move(raw->self);
  job->outcome_handled = false;
  if (PartitionState* state = partitions_.find(job->tp)) state->unacked -= 1;
  if (job->delivery_failed) {
    // Not acknowledged means not committed: process the record again (at-least-once).
    job->delivery_failed = false;
    partitions_.requeue(std::move(job), mono_ms() + kRedeliveryBackoffMs);
    return;
  }
  partitions_.done(job->tp, job->offset);
}

}  // namespace sluice::pipeline
