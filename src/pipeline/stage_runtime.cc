#include "pipeline/stage_runtime.h"

#include <chrono>
#include <deque>
#include <stdexcept>
#include <thread>

#include "common/clock.h"
#include "common/log.h"
#include "common/random_id.h"
#include "kafka/topic_setup.h"
#include "pipeline/reroute.h"

namespace sluice::pipeline {
namespace {

constexpr int64_t kCommitIntervalMs = 1000;
constexpr int64_t kGaugeIntervalMs = 1000;
constexpr int64_t kRedeliveryBackoffMs = 1000;
// Longest sleep of an idle poll thread: the granularity of retry backoffs and
// delay-topic due times, which nothing else wakes it for.
constexpr int kIdleWaitMs = 10;
// A full buffer first only stops reading from librdkafka (whose prefetch is
// bounded by queued.*). Past this, the partitions are paused for real, because a
// consumer that stops polling for max.poll.interval.ms is expelled from its group.
// Not pausing at once matters: a pause discards librdkafka's prefetched records,
// which would then be fetched again on every resume.
constexpr int64_t kHardPauseAfterMs = 2000;
constexpr int kMaxPollBatch = 500;

std::string mint_trace_id() {
  return random_hex(16);
}

}  // namespace

// One consumed record on its way through the stage. The poll thread fills in
// only what it needs to schedule the record (the header fields are read in
// place); a worker builds the full Record from the librdkafka message just
// before processing it, so copying the payload and headers, minting the trace
// id and freeing the message happen off the poll thread.
struct StageRuntime::InFlight {
  TopicPartition tp;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  int64_t bytes = 0;                     // payload size, for the buffered-bytes bound
  int64_t not_before_ms = 0;             // a delay-topic record's due time (0: now)
  kafka::ConsumedMessage message;        // held until materialize()
  Record record;                         // complete once materialize() ran
  std::vector<CircuitBreaker*> permits;  // breakers that let this attempt through
  int attempts = 0;                      // in-process attempts of this hop
  // Outputs awaiting their acknowledgement. Set by whoever produces them (a
  // worker, or the poll thread for DLQ and delay-topic copies) before the first
  // produce; counted down by delivery reports on the poll thread.
  std::atomic<int> remaining{0};
  bool delivery_failed = false;  // poll thread only
  // Poll thread only: the worker's outcome for this attempt was handled, so
  // the last acknowledgement may settle the record. Before that a fast
  // acknowledgement must wait, or a retry could be queued behind records the
  // same completion hands back.
  bool outcome_handled = false;
  struct ProduceError {
    std::string topic;
    kafka::ErrorCode err;
  };
  std::vector<ProduceError> produce_errors;  // a worker's outputs refused at once
  // Keeps the record alive while librdkafka holds it as a delivery report's
  // opaque; released by the last report (a cycle on purpose, broken there).
  std::shared_ptr<InFlight> self;

  void materialize();
};

void StageRuntime::InFlight::materialize() {
  if (!message) return;  // a retry: built on its first attempt
  Record& r = record;
  r.topic = tp.first;
  r.partition = tp.second;
  r.offset = offset;
  r.timestamp_ms = timestamp_ms;
  message.fill(r);
  const std::string* trace = r.header(header::kTraceId);
  r.trace_id = trace ? *trace : mint_trace_id();
  message.reset();
}

struct StageRuntime::PartitionState {
  std::deque<std::shared_ptr<InFlight>> pending;    // consumed, not yet handed to a worker
  std::vector<std::shared_ptr<InFlight>> deferred;  // buffered by the sink, not yet durable
  int running = 0;  // batches being processed (bounded by in_flight_per_partition)
  int unacked = 0;  // processed, outputs not yet acknowledged
  OffsetTracker tracker;
  int64_t committed = -1;
  int64_t wait_until_ms = 0;     // in-process backoff of the head record
  int64_t first_consumed = -1;   // offset of the first record consumed since assignment
  int64_t catch_up_target = -1;  // --until-caught-up: the end offset when assigned (-1: none)
  int64_t start = -1;            // where consumption started, for the same check
  // A sink's resume offset: everything below is durable in the sink, so it may
  // be committed even if nothing more is ever consumed (-1: none). Without it a
  // sink that made records durable and died before Kafka's commit would leave
  // the group's offset behind forever once the topic goes quiet.
  int64_t sink_resume = -1;
};

// What a worker hands back for one batch: the records it processed, in order,
// and — when one failed — the records after it, untouched, so that the failed
// record's retry stays ahead of them.
struct StageRuntime::Completion {
  struct Result {
    std::shared_ptr<InFlight> job;
    Outcome outcome;
    double seconds = 0;
    bool sent = false;  // the worker produced the outputs (outcome.outputs is then empty)
  };
  TopicPartition tp;
  std::vector<Result> results;
  std::vector<std::shared_ptr<InFlight>> returned;
};

// Rebalance callbacks run inside the consumer's poll(), on the poll thread.
class StageRuntime::Rebalancer : public kafka::RebalanceListener {
 public:
  explicit Rebalancer(StageRuntime& rt) : rt_(rt) {}
  void assigned(std::vector<kafka::PartitionOffset>& parts) override { rt_.on_assign(parts); }
  void revoked(const std::vector<kafka::PartitionOffset>& parts) override { rt_.on_revoke(parts); }

 private:
  StageRuntime& rt_;
};

// Delivery reports and client errors, also served on the poll thread.
class StageRuntime::Deliveries : public kafka::DeliveryListener {
 public:
  explicit Deliveries(StageRuntime& rt) : rt_(rt) {}
  void delivered(const kafka::Delivery& d) override {
    rt_.delivered(static_cast<InFlight*>(d.opaque), d.topic, d.error);
  }
  void error(kafka::ErrorCode err, const std::string& reason) {
    if (kafka::is_connection_lost(err)) connected = false;
    log::warn("stage", "kafka client: {}", reason);
  }
  std::atomic<bool> connected{true};

 private:
  StageRuntime& rt_;
};

StageRuntime::StageRuntime(const PipelineConfig& pipeline, const StageConfig& stage,
                           std::unique_ptr<Processor> processor, ops::MetricsRegistry& metrics)
    : pipeline_(pipeline),
      stage_(stage),
      processor_(std::move(processor)),
      metrics_(metrics, stage.name, stage.group),
      retry_(stage.retry) {
  sink_ = processor_->durable_sink();
  for (const auto& b : stage_.breakers) breakers_[b.name] = std::make_unique<CircuitBreaker>(b);
  if (stage_.halt_lag_threshold > 0)
    lag_breaker_ = std::make_unique<CircuitBreaker>(BreakerConfig{"lag"});
  rebalancer_ = std::make_unique<Rebalancer>(*this);
  deliveries_ = std::make_unique<Deliveries>(*this);
  auto on_error = [this](kafka::ErrorCode err, const std::string& reason) {
    deliveries_->error(err, reason);
  };
  kafka::ClientOptions consumer{pipeline_.bootstrap, "sluice-" + stage_.name};
  consumer.drop_logs = true;  // problems reach the log through on_error, as one line each
  consumer.settings = {
      {"group.id", stage_.group},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "false"},
      {"session.timeout.ms", std::to_string(stage_.session_timeout_ms)},
      {"heartbeat.interval.ms",
       std::to_string(std::min<int64_t>(3000, stage_.session_timeout_ms / 3))},
      {"topic.metadata.refresh.interval.ms", "10000"},  // notice new partitions and topics soon
      // librdkafka's prefetch is bounded in bytes, like our own buffer, so memory
      // stays bounded whatever the backlog. Its message-count threshold
      // (queued.min.messages) is set out of the way on purpose: in librdkafka 2.0
      // (Debian 12) a consumer queue over either threshold takes its partitions out
      // of fetching until the broker thread next wakes up — up to a second later —
      // so a stage that drains 100k queued records in a fraction of a second would
      // then idle for the rest of it (measured: 0.3 s busy, 0.7 s idle, every second).
      // The byte threshold, sized to hold well over that second at full speed for
      // typical records, is crossed only when the stage really is the slower side.
      {"queued.min.messages", "10000000"},
      // The stage also consumes its (mostly empty) delay topics. librdkafka keeps one
      // Fetch in flight per broker, so while a long poll on those waits, input
      // partitions that just became fetchable (after assignment, or after their
      // queue drained) wait with it: 100 ms instead of the default 500 ms bounds that
      // stall, at the price of up to 10 empty fetches a second on an idle stage.
      {"fetch.wait.max.ms", "100"},
      {"queued.max.messages.kbytes",
       std::to_string(std::clamp<int64_t>(stage_.queue.max_buffered_bytes / 1024, 1024, 2097151))},
  };
  consumer_ = std::make_unique<kafka::Consumer>(consumer, rebalancer_.get(), on_error);

  kafka::ClientOptions producer{pipeline_.bootstrap, "sluice-" + stage_.name};
  producer.drop_logs = true;
  producer.settings = {{"linger.ms", "5"}};
  producer_ = std::make_unique<kafka::Producer>(producer, deliveries_.get(), on_error);
  consumer_->notify(wakeup_.fd());
  producer_->notify(wakeup_.fd());

  // By default, more workers than cores only adds wake-up latency (CPU-bound
  // processors); an I/O-bound stage (downloads) sets queue.workers explicitly.
  int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  int workers = stage_.queue.workers > 0 ? stage_.queue.workers : 2 * cores;
  workers_ =
      std::make_unique<WorkerPool>(size_t(std::clamp(workers, 1, stage_.queue.max_in_flight)));
}

StageRuntime::~StageRuntime() {
  abandon_produce_ = true;  // a worker waiting on a full producer queue gives up
  workers_.reset();
  // A record whose outputs were never acknowledged (run() gave up at its
  // deadline) is still held by its `self`: purging makes librdkafka report
  // those outputs as failed, which releases it.
  producer_->purge();
  producer_->flush(1000);
}

std::vector<std::string> StageRuntime::subscribed_topics() const {
  std::vector<std::string> topics = {stage_.input};
  for (size_t i = 1; i <= stage_.retry.delay_topic_delays_ms.size(); ++i) {
    topics.push_back(stage_.input + ".retry." + std::to_string(i));
  }
  return topics;
}

void StageRuntime::run() {
  std::vector<std::string> rerouted = subscribed_topics();
  rerouted.erase(rerouted.begin());  // the input is the producers' business, not ours
  if (stage_.dlq.enabled) {
    rerouted.push_back(stage_.dlq.topic);
    rerouted.push_back(stage_.dlq.topic + ".parked");
  }
  kafka::ensure_topics(*producer_, rerouted,
                       kafka::partition_count(*producer_, stage_.input, 10000), 10000);
  if (kafka::ErrorCode rc = consumer_->subscribe(subscribed_topics()))
    throw std::runtime_error("stage '" + stage_.name +
                             "': subscribe failed: " + kafka::error_text(rc));
  metrics_.up(true);
  log::info("stage", "stage '{}' consuming {} in group '{}'", stage_.name, stage_.input,
            stage_.group);
  while (!stopping_) poll_once();

  log::info("stage", "stage '{}' stopping: finishing {} in-flight record(s)", stage_.name,
            in_flight_.load());
  std::vector<TopicPartition> all;
  for (const auto& [tp, state] : partitions_) all.push_back(tp);
  const int64_t deadline = mono_ms() + stage_.shutdown_timeout_ms;
  drain_partitions(all, deadline);
  if (sink_) {
    sink_->flush(deadline);
    settle_deferred();
  }
  commit(true);
  consumer_->close();  // leaves the group; revocation (if any) drains again, harmlessly
  producer_->flush(int(stage_.shutdown_timeout_ms));
  metrics_.up(false);
  log::info("stage", "stage '{}' stopped; offsets committed", stage_.name);
}

void StageRuntime::poll_once() {
  // Clearing notifications before draining the sources means none is missed.
  wakeup_.wait(idle_ ? kIdleWaitMs : 0);
  bool busy = read_input();
  busy = producer_->poll(0) > 0 || busy;
  busy = drain_completions() || busy;
  dispatch();
  if (sink_) settle_deferred();
  apply_flow_control();
  idle_ = !busy;
  int64_t now = mono_ms();
  if (now >= next_commit_ms_) {
    commit(false);
    next_commit_ms_ = now + kCommitIntervalMs;
    if (until_caught_up_ && caught_up()) {
      log::info("stage", "stage '{}' caught up with the end offsets seen at assignment; stopping",
                stage_.name);
      stopping_ = true;
    }
  }
  if (now >= next_gauges_ms_) {
    refresh_gauges();
    next_gauges_ms_ = now + kGaugeIntervalMs;
  }
}

// Takes what librdkafka has ready (never waiting); true if it took anything.
// Rebalance callbacks run in here too, so while partitions are merely held
// back by a full buffer it is skipped only until kHardPauseAfterMs.
bool StageRuntime::read_input() {
  if (full_since_ms_ != 0 && !consumer_paused_) return false;
  // The consumed counter is bumped once per run of records from one topic, not per record.
  const std::string* counted_topic = nullptr;
  int64_t counted = 0;
  bool took = false;
  for (int taken = 0; taken < kMaxPollBatch; ++taken) {
    kafka::ConsumedMessage m = consumer_->poll(0);
    if (!m) break;
    if (m.error()) {
      log::warn("stage", "stage '{}': consume: {}", stage_.name, m.error_message());
      break;
    }
    deliveries_->connected = true;
    const std::string& topic = accept(std::move(m));
    took = true;
    if (counted_topic && topic != *counted_topic) {
      metrics_.consumed(*counted_topic, counted);
      counted = 0;
    }
    counted_topic = &topic;
    ++counted;
    if (buffered_ >= stage_.queue.max_buffered_records) break;
  }
  if (counted > 0) metrics_.consumed(*counted_topic, counted);
  return took;
}

// The partition a message belongs to, remembered between calls: consumed
// messages come in runs from one partition, and the map lookup would build a
// topic string per message.
StageRuntime::PartitionState& StageRuntime::partition_of(const kafka::ConsumedMessage& m,
                                                         const TopicPartition** tp) {
  if (last_partition_.state && last_partition_.topic_id == m.topic_id() &&
      last_partition_.partition == m.partition()) {
    *tp = last_partition_.tp;
    return *last_partition_.state;
  }
  auto it = partitions_.try_emplace({m.topic(), m.partition()}).first;
  if (!it->second) it->second = std::make_unique<PartitionState>();
  last_partition_ = {m.topic_id(), m.partition(), &it->first, it->second.get()};
  *tp = &it->first;
  return *it->second;
}

// Takes ownership of `m`.
const std::string& StageRuntime::accept(kafka::ConsumedMessage m) {
  const TopicPartition* tp = nullptr;
  PartitionState& state = partition_of(m, &tp);
  auto job = std::make_shared<InFlight>();
  job->tp = *tp;
  job->offset = m.offset();
  job->timestamp_ms = m.timestamp_ms();
  job->bytes = int64_t(m.size());
  job->not_before_ms = m.int_header(header::kNotBefore);
  job->message = std::move(m);
  state.tracker.track(job->offset);
  if (state.first_consumed < 0) state.first_consumed = job->offset;
  buffered_ += 1;
  buffered_bytes_ += job->bytes;
  state.pending.push_back(std::move(job));
  return tp->first;
}

bool StageRuntime::any_breaker_open() {
  for (CircuitBreaker* b : breakers()) {
    if (b->state() == BreakerState::kOpen) return true;
  }
  return false;
}

bool StageRuntime::breakers_allow(std::vector<CircuitBreaker*>& permits) {
  if (any_breaker_open()) return false;
  // Every breaker that grants a (half-open probe) permit hears how the attempt went.
  for (auto& [name, b] : breakers_) {
    if (!b->allow()) return false;
    permits.push_back(b.get());
  }
  return true;
}

void StageRuntime::dispatch() {
  if (operator_paused_ || stopping_) return;
  int64_t now = now_ms();
  int64_t mono = mono_ms();
  for (auto& [tp, state] : partitions_) {
    while (state->running < stage_.queue.in_flight_per_partition &&
           in_flight_ < stage_.queue.max_in_flight) {
      Batch batch = take_batch(*state, now, mono);
      if (batch.empty()) break;
      state->running += 1;
      workers_->submit([this, tp = tp, batch = std::move(batch)] { run_batch(tp, batch); });
    }
  }
}

StageRuntime::Batch StageRuntime::take_batch(PartitionState& state, int64_t now, int64_t mono) {
  // A batch runs on one worker in offset order, so a partition costs one hand-off
  // per batch rather than per record.
  Batch batch;
  while (!state.pending.empty() && batch.size() < size_t(stage_.queue.batch_size) &&
         in_flight_ < stage_.queue.max_in_flight) {
    auto& head = state.pending.front();
    if (mono < state.wait_until_ms || now < head->not_before_ms) break;
    head->permits.clear();
    if (!breakers_allow(head->permits)) break;  // an open breaker holds every partition
    head->record.degraded = degraded_;          // materialize() leaves it alone
    batch.push_back(std::move(head));
    state.pending.pop_front();
    in_flight_ += 1;
    buffered_ -= 1;
    buffered_bytes_ -= batch.back()->bytes;
  }
  return batch;
}

void StageRuntime::run_batch(const TopicPartition& tp, const Batch& batch) {
  Completion c{tp, {}, {}};
  c.results.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i]->materialize();
    auto start = std::chrono::steady_clock::now();
    Outcome outcome;
    try {
      outcome = processor_->process(batch[i]->record);
    } catch (const std::exception& e) {
      // A processor bug must not take the stage down: the record goes the failure path.
      outcome =
          Outcome::failure(ErrorCategory::kPermanent, std::string("processor threw: ") + e.what());
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    bool failed = !outcome.ok;
    bool sent = false;
    if (outcome.ok && !(outcome.deferred && sink_) && !outcome.outputs.empty()) {
      // Produced here, not on the poll thread: the outputs are built, sent and
      // freed by the thread that allocated them, and the poll thread keeps only
      // the bookkeeping.
      produce_outputs(batch[i], outcome.outputs);
      outcome.outputs.clear();
      sent = true;
    }
    c.results.push_back({batch[i], std::move(outcome), seconds, sent});
    if (failed) {
      c.returned.assign(batch.begin() + long(i) + 1, batch.end());
      break;
    }
  }
  {
    std::lock_guard lock(completions_mu_);
    completions_.push_back(std::move(c));
  }
  wakeup_.notify();
}

bool StageRuntime::drain_completions() {
  std::vector<Completion> done;
  {
    std::lock_guard lock(completions_mu_);
    done.swap(completions_);
  }
  for (auto& c : done) {
    auto it = partitions_.find(c.tp);
    if (it != partitions_.end()) {
      it->second->running -= 1;
      // Unprocessed records go back to the head first; a retried failure then goes before them.
      for (auto r = c.returned.rbegin(); r != c.returned.rend(); ++r) {
        in_flight_ -= 1;
        buffered_ += 1;
        buffered_bytes_ += (*r)->bytes;
        it->second->pending.push_front(*r);
      }
    } else {
      in_flight_ -= int64_t(c.returned.size());
    }
    // in_flight_ counts records being processed; acknowledgements are bounded by
    // the producer's own queue (produce() waits when it is full).
    in_flight_ -= int64_t(c.results.size());
    for (auto& r : c.results)
      handle_outcome(std::move(r.job), std::move(r.outcome), r.seconds, r.sent);
  }
  return !done.empty();
}

void StageRuntime::handle_outcome(std::shared_ptr<InFlight> job, Outcome outcome, double seconds,
                                  bool sent) {
  metrics_.duration(seconds);
  bool charges = !outcome.ok && (outcome.category == ErrorCategory::kTransient ||
                                 outcome.category == ErrorCategory::kTimeout);
  for (CircuitBreaker* b : job->permits) {
    bool blamed = charges && (outcome.dependency.empty() || outcome.dependency == b->config().name);
    blamed ? b->record_failure() : b->record_success();
  }
  job->permits.clear();
  if (!outcome.ok) return handle_failure(std::move(job), outcome);
  processed_ += 1;
  if (outcome.deferred && sink_) return defer(std::move(job));
  if (!sent) return finish(*job);  // no outputs
  if (auto it = partitions_.find(job->tp); it != partitions_.end()) it->second->unacked += 1;
  job->outcome_handled = true;
  for (const auto& e : job->produce_errors) delivered(job.get(), e.topic, e.err);
  if (job->self && job->remaining == 0) settle(job.get());
}

// On a worker: the trace header and key salt, then every output to librdkafka.
void StageRuntime::produce_outputs(const std::shared_ptr<InFlight>& job,
                                   std::vector<OutputRecord>& outputs) {
  for (auto& out : outputs) {
    bool has_trace = false;
    for (const auto& [k, v] : out.headers) has_trace = has_trace || k == header::kTraceId;
    if (!has_trace) out.headers.emplace_back(header::kTraceId, job->record.trace_id);
    // Salting spreads a hot key over partitions; the input offset makes it the same on a retry.
    if (stage_.output_key_salt > 0 && out.key) {
      *out.key += "_" + std::to_string(job->offset % stage_.output_key_salt);
    }
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
      if (!kafka::is_queue_full(rc) || abandon_produce_) {
        job->produce_errors.push_back({out.topic, rc});
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
}

void StageRuntime::handle_failure(std::shared_ptr<InFlight> job, const Outcome& outcome) {
  const Record& r = job->record;
  metrics_.error(r.topic, outcome.category);
  job->attempts += 1;
  RetryDecision d = retry_.decide(outcome.category, job->attempts, retry_level(r));
  Failure f{stage_.name, outcome.category, outcome.message, job->attempts, now_ms()};
  const char* next = d.kind == RetryDecision::kRetryInProcess ? "retry"
                     : d.kind == RetryDecision::kDelayTopic   ? "delay topic"
                                                              : "dead-letter queue";
  log::event(log::Level::kWarn, "stage", "record failed; next: " + std::string(next),
             {{"trace_id", r.trace_id},
              {"stage", stage_.name},
              {"topic", r.topic},
              {"partition", std::to_string(r.partition)},
              {"offset", std::to_string(r.offset)},
              {"category", category_name(outcome.category)},
              {"attempt", std::to_string(job->attempts)},
              {"error", outcome.message}});
  if (d.kind == RetryDecision::kRetryInProcess ||
      (d.kind == RetryDecision::kDeadLetter && !stage_.dlq.enabled)) {
    // With no DLQ the record is never dropped: it keeps retrying at the longest backoff.
    int64_t backoff =
        d.kind == RetryDecision::kRetryInProcess ? d.backoff_ms : stage_.retry.max_backoff_ms;
    return requeue(std::move(job), backoff);
  }
  OutputRecord out;
  if (d.kind == RetryDecision::kDelayTopic) {
    int64_t delay = stage_.retry.delay_topic_delays_ms.at(size_t(d.delay_topic - 1));
    out = to_delay_topic(r, stage_.input + ".retry." + std::to_string(d.delay_topic), d.delay_topic,
                         f.now_ms + delay, f);
  } else {
    out = to_dead_letter(r, dead_letter_topic(r, stage_.dlq.topic, stage_.dlq.max_replays), f);
    dead_lettered_ += 1;
  }
  send(std::move(job), {std::move(out)});
}

void StageRuntime::send(std::shared_ptr<InFlight> job, std::vector<OutputRecord> outputs) {
  if (outputs.empty()) return finish(*job);
  job->remaining = int(outputs.size());
  if (auto it = partitions_.find(job->tp); it != partitions_.end()) it->second->unacked += 1;
  InFlight* raw = job.get();
  raw->self = job;  // librdkafka holds `raw` as the opaque until the last delivery report
  raw->outcome_handled = true;
  for (auto& out : outputs) {
    for (;;) {
      kafka::ErrorCode rc = producer_->produce(out, raw);
      if (rc == 0) break;
      if (!kafka::is_queue_full(rc)) {
        delivered(raw, out.topic, rc);
        break;
      }
      producer_->poll(10);  // the local queue is full: serve delivery reports, then retry
    }
  }
}

void StageRuntime::delivered(InFlight* raw, std::string_view topic, kafka::ErrorCode err) {
  if (err) {
    raw->delivery_failed = true;
    log::warn("stage", "stage '{}': delivery to {} failed: {}", stage_.name, topic,
              kafka::error_text(err));
  } else {
    metrics_.produced(topic);
  }
  if (--raw->remaining > 0 || !raw->outcome_handled) return;
  settle(raw);
}

// Every output of this attempt is acknowledged or failed: commit it, or process it again.
void StageRuntime::settle(InFlight* raw) {
  std::shared_ptr<InFlight> job = std::move(raw->self);
  job->outcome_handled = false;
  if (auto p = partitions_.find(job->tp); p != partitions_.end()) p->second->unacked -= 1;
  if (job->delivery_failed) {
    // Not acknowledged means not committed: process the record again (at-least-once).
    job->delivery_failed = false;
    return requeue(std::move(job), kRedeliveryBackoffMs);
  }
  finish(*job);
}

void StageRuntime::finish(InFlight& job) {
  auto it = partitions_.find(job.tp);
  if (it != partitions_.end()) it->second->tracker.done(job.offset);
}

void StageRuntime::defer(std::shared_ptr<InFlight> job) {
  auto it = partitions_.find(job->tp);
  if (it == partitions_.end()) return;  // revoked meanwhile: the new owner re-reads it
  deferred_ += 1;
  it->second->deferred.push_back(std::move(job));
}

void StageRuntime::settle_deferred() {
  for (auto& [tp, state] : partitions_) {
    if (state->deferred.empty()) continue;
    const int64_t durable = sink_->durable_through(tp.first, tp.second);
    std::erase_if(state->deferred, [&, &state = state](const std::shared_ptr<InFlight>& job) {
      if (job->offset >= durable) return false;
      state->tracker.done(job->offset);
      deferred_ -= 1;
      return true;
    });
  }
}

void StageRuntime::requeue(std::shared_ptr<InFlight> job, int64_t backoff_ms) {
  auto it = partitions_.find(job->tp);
  if (it == partitions_.end()) return;  // revoked meanwhile: the new owner re-consumes it
  auto& state = *it->second;
  state.wait_until_ms = mono_ms() + backoff_ms;
  buffered_ += 1;
  buffered_bytes_ += job->bytes;
  // Back to the head of its partition: records behind it keep their order.
  state.pending.push_front(std::move(job));
}

void StageRuntime::apply_flow_control() {
  const bool breaker_open = any_breaker_open();
  // Records a sink holds count too: they are in memory until it commits them.
  const int64_t held = buffered_ + deferred_;
  bool full = held >= stage_.queue.max_buffered_records ||
              buffered_bytes_ >= stage_.queue.max_buffered_bytes;
  bool drained = held <= stage_.queue.max_buffered_records / 2 &&
                 buffered_bytes_ <= stage_.queue.max_buffered_bytes / 2;
  int64_t now = mono_ms();
  if (full && full_since_ms_ == 0) full_since_ms_ = now;
  if (drained) full_since_ms_ = 0;
  bool held_too_long = full_since_ms_ != 0 && now - full_since_ms_ >= kHardPauseAfterMs;
  bool want_paused = operator_paused_ || breaker_open || held_too_long;
  if (want_paused == consumer_paused_) return;
  if (want_paused) {
    consumer_->pause_assignment();
  } else {
    consumer_->resume_assignment();
  }
  consumer_paused_ = want_paused;
  log::info("stage", "stage '{}' {} consumption ({})", stage_.name,
            want_paused ? "paused" : "resumed",
            operator_paused_ ? "operator"
            : breaker_open   ? "circuit breaker open"
            : held_too_long  ? "queue full"
                             : "drained");
}

void StageRuntime::commit(bool sync, const std::vector<TopicPartition>* only) {
  std::vector<kafka::PartitionOffset> offsets;
  auto add = [&](const TopicPartition& tp, PartitionState& state) {
    int64_t c = std::max(state.tracker.committable(), state.sink_resume);
    if (c <= state.committed) return;
    offsets.push_back({tp.first, tp.second, c});
    state.committed = c;
  };
  if (only) {
    for (const auto& tp : *only) {
      auto it = partitions_.find(tp);
      if (it != partitions_.end()) add(tp, *it->second);
    }
  } else {
    for (auto& [tp, state] : partitions_) add(tp, *state);
  }
  if (offsets.empty()) return;
  if (kafka::ErrorCode rc = consumer_->commit(offsets, sync))
    log::warn("stage", "stage '{}': commit failed: {}", stage_.name, kafka::error_text(rc));
}

void StageRuntime::drain_partitions(const std::vector<TopicPartition>& parts, int64_t deadline_ms) {
  auto busy = [&] {
    for (const auto& tp : parts) {
      auto it = partitions_.find(tp);
      if (it != partitions_.end() && (it->second->running > 0 || it->second->unacked > 0))
        return true;
    }
    return false;
  };
  while (busy() && mono_ms() < deadline_ms) {
    producer_->poll(10);
    drain_completions();
  }
  if (busy())
    log::warn(
        "stage",
        "stage '{}': shutdown deadline passed with records in flight; they will be re-consumed",
        stage_.name);
}

void StageRuntime::on_assign(std::vector<kafka::PartitionOffset>& parts) {
  for (auto& p : parts) {
    auto& state = partitions_[{p.topic, p.partition}];
    if (!state) state = std::make_unique<PartitionState>();
    // A sink resumes where its own store says it stopped, whatever the group committed.
    if (int64_t resume = sink_ ? sink_->resume_offset(p.topic, p.partition) : -1; resume >= 0) {
      p.offset = resume;
      state->sink_resume = resume;
    }
  }
  if (until_caught_up_) record_catch_up_targets(parts);
  assigned_ = int(parts.size());
  consumer_paused_ = false;  // a fresh assignment starts unpaused; flow control re-applies
  log::info("stage", "stage '{}' assigned {} partition(s)", stage_.name, parts.size());
}

void StageRuntime::on_revoke(const std::vector<kafka::PartitionOffset>& parts) {
  std::vector<TopicPartition> tps;
  for (const auto& p : parts) tps.emplace_back(p.topic, p.partition);
  drain_partitions(tps, mono_ms() + stage_.shutdown_timeout_ms);
  commit(true, &tps);
  for (const auto& tp : tps) {
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) continue;
    for (const auto& job : it->second->pending) {
      buffered_ -= 1;
      buffered_bytes_ -= job->bytes;
    }
    deferred_ -= int64_t(it->second->deferred.size());
    if (sink_) sink_->release(tp.first, tp.second);
    last_partition_ = {};
    partitions_.erase(it);
    // refresh_gauges() only visits owned partitions: without this, a revoked partition's
    // lag stays at its last value here while its new owner reports it too (and
    // `sluice up` never sees the pipeline drained).
    metrics_.lag(tp.first, tp.second, 0, 0.0);
  }
  assigned_ = 0;
  log::info("stage", "stage '{}' revoked {} partition(s) after draining them", stage_.name,
            parts.size());
}

void StageRuntime::record_catch_up_targets(const std::vector<kafka::PartitionOffset>& parts) {
  const std::vector<int64_t> committed = consumer_->committed(parts, 10000);
  const std::vector<int64_t> low = consumer_->log_offsets(parts, kafka::kOffsetBeginning, 10000);
  const std::vector<int64_t> high = consumer_->log_offsets(parts, kafka::kOffsetEnd, 10000);
  for (size_t i = 0; i < parts.size(); ++i) {
    auto& state = *partitions_[{parts[i].topic, parts[i].partition}];
    // A partition whose log offsets did not come back counts from 0.
    state.catch_up_target = std::max<int64_t>(high[i], 0);
    // A sink's resume offset (set on parts[i]) wins over the group's committed offset.
    state.start = std::max({parts[i].offset, committed[i], std::max<int64_t>(low[i], 0)});
  }
}

bool StageRuntime::caught_up() const {
  if (partitions_.empty()) return false;
  for (const auto& [tp, state] : partitions_) {
    if (state->catch_up_target < 0)
      continue;  // assigned later, e.g. a retry topic created meanwhile
    int64_t reached = std::max({state->start, state->committed, state->tracker.committable()});
    if (reached < state->catch_up_target || state->running > 0 || state->unacked > 0) return false;
  }
  return true;
}

// Runbook 003's lag policies: degrade (skip optional work) and, far beyond, halt and page.
void StageRuntime::apply_lag_policies(int64_t total_lag) {
  const bool degrade = stage_.degrade_lag_threshold > 0 && total_lag > stage_.degrade_lag_threshold;
  if (degrade != degraded_) {
    degraded_ = degrade;
    log::event(degrade ? log::Level::kWarn : log::Level::kInfo, "stage",
               degrade ? "high lag: processing degraded (optional work skipped)"
                       : "lag back to normal: full processing",
               {{"stage", stage_.name},
                {"lag", std::to_string(total_lag)},
                {"threshold", std::to_string(stage_.degrade_lag_threshold)}});
  }
  metrics_.degraded(degraded_);
  if (!lag_breaker_) return;
  if (total_lag <= stage_.halt_lag_threshold) {
    lag_halt_armed_ = true;
  } else if (lag_halt_armed_) {
    lag_halt_armed_ = false;
    lag_breaker_->force_open();
    log::event(log::Level::kError, "stage",
               "extreme lag: consumption halted; fix the cause, then `sluice breaker close lag`",
               {{"stage", stage_.name},
                {"lag", std::to_string(total_lag)},
                {"threshold", std::to_string(stage_.halt_lag_threshold)}});
  }
}

void StageRuntime::refresh_gauges() {
  int64_t now = now_ms();
  int64_t total_lag = 0;
  // A partition with nothing consumed or committed since it was assigned (after a rebalance
  // or a broker restart, on an idle topic) is measured from the consumer's fetch position —
  // the group's committed offset, or a sink's resume offset — not from the log start.
  std::map<TopicPartition, int64_t> positions;
  {
    std::vector<kafka::PartitionOffset> unknown;
    for (const auto& [tp, state] : partitions_) {
      if (state->tracker.committable() < 0 && state->committed < 0 && state->first_consumed < 0)
        unknown.push_back({tp.first, tp.second});
    }
    if (!unknown.empty()) {
      if (auto found = consumer_->positions(unknown)) {
        for (size_t i = 0; i < unknown.size(); ++i)
          positions[{unknown[i].topic, unknown[i].partition}] = (*found)[i];
      }
    }
  }
  for (const auto& [tp, state] : partitions_) {
    std::optional<kafka::Watermarks> marks = consumer_->cached_watermarks(tp.first, tp.second);
    if (!marks) continue;
    const int64_t low = marks->low, high = marks->high;
    // Lag counts every record not yet committable: from the first one consumed when
    // nothing is committable yet, so records held in the stage still count.
    int64_t next = state->tracker.committable() >= 0 ? state->tracker.committable()
                   : state->first_consumed >= 0      ? state->first_consumed
                                                     : std::max(state->committed, low);
    if (state->tracker.committable() < 0 && state->committed < 0 && state->first_consumed < 0) {
      auto pos = positions.find(tp);
      if (pos == positions.end() || pos->second < 0) continue;  // not known yet: next time
      next = std::max(pos->second, low);
    }
    int64_t lag = std::max<int64_t>(high - next, 0);
    double seconds = lag > 0 && !state->pending.empty()
                         ? double(now - state->pending.front()->timestamp_ms) / 1000.0
                         : 0.0;
    metrics_.lag(tp.first, tp.second, lag, std::max(seconds, 0.0));
    total_lag += lag;
  }
  apply_lag_policies(total_lag);
  for (CircuitBreaker* b : breakers())
    metrics_.breaker_state(b->config().name, int(b->state()), b->times_opened());
  metrics_.assigned(assigned_);
  metrics_.connected(deliveries_->connected, deliveries_->connected);
}

StageStatus StageRuntime::status() const {
  return {stage_.name,       operator_paused_.load(), assigned_.load(),     buffered_.load(),
          in_flight_.load(), processed_.load(),       dead_lettered_.load()};
}

CircuitBreaker* StageRuntime::breaker(const std::string& name) {
  if (lag_breaker_ && name == "lag") return lag_breaker_.get();
  auto it = breakers_.find(name);
  return it == breakers_.end() ? nullptr : it->second.get();
}

std::vector<CircuitBreaker*> StageRuntime::breakers() {
  std::vector<CircuitBreaker*> out;
  for (auto& [name, b] : breakers_) out.push_back(b.get());
  if (lag_breaker_) out.push_back(lag_breaker_.get());
  return out;
}

}  // namespace sluice::pipeline
