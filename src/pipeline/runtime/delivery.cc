#include "pipeline/runtime/delivery.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/clock.h"
#include "common/log.h"

namespace sluice::pipeline {

Delivery::Delivery(const kafka::ClientOptions& producer, const StageConfig& stage,
                   PartitionTable& partitions, StageMetrics& metrics, kafka::ErrorListener on_error,
                   ProgressWatchdog* watchdog)
    : stage_(stage.name),
      key_salt_(stage.output_key_salt),
      partitions_(partitions),
      metrics_(metrics),
      watchdog_(watchdog),
      producer_options_(producer),
      on_error_(std::move(on_error)),
      producer_(new_producer()) {}

// librdkafka raises an idempotent producer's fatal error as an error event
// (every later send then fails with _FATAL): that, too, asks for a renewal.
std::unique_ptr<kafka::Producer> Delivery::new_producer() {
  return std::make_unique<kafka::Producer>(producer_options_, this,
                                           [this](kafka::ErrorCode err, const std::string& reason) {
                                             if (kafka::needs_new_producer(err)) {
                                               if (!renewal_wanted_.exchange(true))
                                                 renewal_reason_ = reason;
                                             }
                                             if (on_error_) on_error_(err, reason);
                                           });
}

void Delivery::notify(int fd) {
  notify_fd_ = fd;
  producer_->notify(fd);
}

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
      kafka::ErrorCode rc = 0;
      {
        std::shared_lock producing(producing_mu_);  // not while a renewal swaps the producer
        rc = producer_->produce(out, job.get());
      }
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
  if (PartitionState* state = partitions_.owner(*job)) state->unacked += 1;
  job->outcome_handled = true;
  for (const auto& e : job->produce_errors) report(job.get(), e.topic, e.err);
  if (job->self && job->remaining == 0) settle(job.get());
}

void Delivery::send(std::shared_ptr<InFlight> job, std::vector<OutputRecord> outputs) {
  if (outputs.empty()) {
    if (watchdog_) watchdog_->delivered(job->tp, job->offset);
    return partitions_.done(*job);
  }
  job->remaining = int(outputs.size());
  if (PartitionState* state = partitions_.owner(*job)) state->unacked += 1;
  InFlight* raw = job.get();
  raw->self = job;  // librdkafka holds `raw` as the opaque until the last delivery report
  raw->outcome_handled = true;
  produce_from_poll_thread(raw, outputs);
}

void Delivery::send_tick(const TopicPartition& tp, std::vector<OutputRecord> outputs) {
  if (outputs.empty()) return;
  PartitionState* state = partitions_.find(tp);
  if (!state) return;
  auto job = std::make_shared<InFlight>();
  job->tp = tp;
  job->generation = state->generation;
  job->tick = true;
  job->tick_outputs = std::move(outputs);
  state->unacked += 1;
  produce_tick(job);
}

void Delivery::produce_tick(const std::shared_ptr<InFlight>& job) {
  InFlight* raw = job.get();
  raw->remaining = int(raw->tick_outputs.size());
  raw->self = job;
  raw->outcome_handled = true;
  produce_from_poll_thread(raw, raw->tick_outputs);
}

void Delivery::produce_from_poll_thread(InFlight* raw, const std::vector<OutputRecord>& outputs) {
  for (const auto& out : outputs) {
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

int Delivery::retry_ticks(int64_t mono_now) {
  std::vector<std::shared_ptr<InFlight>> due;
  std::erase_if(failed_ticks_, [&](std::shared_ptr<InFlight>& job) {
    if (job->not_before_ms > mono_now) return false;
    due.push_back(std::move(job));
    return true;
  });
  int sent = 0;
  for (auto& job : due) {
    // Revoked meanwhile, perhaps owned again since: its unacked count went with
    // the old ownership, and the new one restored the state from before the tick.
    if (!partitions_.owner(*job)) continue;
    job->delivery_failed = false;
    produce_tick(job);
    sent += 1;
  }
  return sent;
}

// A tick's outputs all reported: acknowledged, the partition's changed state
// may be checkpointed; failed, they go out again later, the partition still
// unacknowledged so that no checkpoint forgets them.
void Delivery::settle_tick(std::shared_ptr<InFlight> job) {
  PartitionState* state = partitions_.owner(*job);
  if (job->delivery_failed) {
    log::warn("stage",
              "stage '{}': a tick's outputs for {}-{} were not acknowledged ({}); "
              "sending them again",
              stage_, job->tp.first, job->tp.second, job->delivery_error);
    // Outputs that can never be delivered (larger than the topic allows, say)
    // are sent again for ever: the watchdog turns the stage not-ready, naming them.
    if (watchdog_) watchdog_->delivery_failed(job->tp, kTickOffset, job->delivery_error, now_ms());
    if (state) {
      job->not_before_ms = mono_ms() + kRedeliveryBackoffMs;
      failed_ticks_.push_back(std::move(job));
    }
    return;
  }
  if (watchdog_) watchdog_->delivered(job->tp, kTickOffset);
  if (state) {
    state->unacked -= 1;
    state->state_changed = true;
  }
}

void Delivery::delivered(const kafka::Delivery& d) {
  report(static_cast<InFlight*>(d.opaque), d.topic, d.error);
}

void Delivery::report(InFlight* raw, std::string_view topic, kafka::ErrorCode err) {
  if (err) {
    raw->delivery_failed = true;
    raw->delivery_error = fmt::format("delivery to {} failed: {}", topic, kafka::error_text(err));
    log::warn("stage", "stage '{}': {}", stage_, raw->delivery_error);
    if (kafka::needs_new_producer(err) && !renewal_wanted_.exchange(true))
      renewal_reason_ = raw->delivery_error;
  } else {
    renewal_gap_ms_ = kRenewalMinGapMs;  // this producer delivers: the next trouble starts afresh
    metrics_.produced(topic);
  }
  if (--raw->remaining > 0 || !raw->outcome_handled) return;
  settle(raw);
}

// Every output of this attempt is acknowledged or failed: commit it, or process it again.
void Delivery::settle(InFlight* raw) {
  std::shared_ptr<InFlight> job = std::move(raw->self);
  job->outcome_handled = false;
  if (job->tick) return settle_tick(std::move(job));
  if (PartitionState* state = partitions_.owner(*job)) state->unacked -= 1;
  if (job->delivery_failed) {
    // Not acknowledged means not committed: process the record again (at-least-once).
    job->delivery_failed = false;
    if (watchdog_) watchdog_->delivery_failed(job->tp, job->offset, job->delivery_error, now_ms());
    partitions_.requeue(std::move(job), mono_ms() + kRedeliveryBackoffMs);
    return;
  }
  if (watchdog_) watchdog_->delivered(job->tp, job->offset);
  partitions_.done(*job);
}

void Delivery::drain(int64_t deadline) {
  while (producer_->outstanding() > 0 && mono_ms() < deadline) producer_->poll(50);
}

bool Delivery::renew_if_needed(int64_t mono_now) {
  if (!renewal_wanted_ || mono_now < next_renewal_ms_) return false;
  std::string fatal = producer_->fatal_error();
  log::warn("stage", "stage '{}': re-creating its producer (a new producer id) after: {}{}", stage_,
            renewal_reason_, fatal.empty() ? "" : "; fatal error: " + fatal);
  std::unique_lock producing(producing_mu_);  // workers wait for the new producer
  producer_->purge_unsent();
  drain(mono_ms() + kRenewalDrainMs);
  if (producer_->outstanding() > 0) {
    log::warn("stage",
              "stage '{}': {} record(s) still unanswered after {} ms; they are failed and will "
              "be processed again (the broker may already have written some: at-least-once)",
              stage_, producer_->outstanding(), kRenewalDrainMs);
    producer_->purge();
    drain(mono_ms() + kRenewalDrainMs);
  }
  // Every record the old producer held has been reported (and gone back to its
  // partition if it failed): destroying it now drops nothing.
  producer_->notify(-1);
  producer_.reset();
  producer_ = new_producer();
  if (notify_fd_ >= 0) producer_->notify(notify_fd_);
  renewals_ += 1;
  metrics_.producer_renewed();
  renewal_wanted_ = false;
  renewal_reason_.clear();
  next_renewal_ms_ = mono_ms() + renewal_gap_ms_;
  renewal_gap_ms_ = std::min(renewal_gap_ms_ * 2, kRenewalMaxGapMs);
  return true;
}

}  // namespace sluice::pipeline
