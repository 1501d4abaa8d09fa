#include "pipeline/stage_runtime.h"

#include <algorithm>
#include <stdexcept>
#include <thread>

#include "common/clock.h"
#include "common/log.h"
#include "kafka/stage_clients.h"
#include "kafka/topic_setup.h"
#include "pipeline/reroute.h"

namespace sluice::pipeline {
namespace {

constexpr int64_t kCommitIntervalMs = 1000;
constexpr int64_t kGaugeIntervalMs = 1000;
// How often a stateful processor's quiet partitions get a tick (StatefulProcessor::tick).
constexpr int64_t kTickIntervalMs = 1000;
// An unforced state checkpoint waits this many times the last one's duration.
constexpr int64_t kCheckpointPacing = 9;
// Longest sleep of an idle poll thread: the granularity of retry backoffs and
// delay-topic due times, which nothing else wakes it for.
constexpr int kIdleWaitMs = 10;
constexpr int kMaxPollBatch = 500;

std::unique_ptr<PartitionStates> make_states(Processor& processor, const StageConfig& stage,
                                             CheckpointStore* checkpoints) {
  StatefulProcessor* stateful = processor.stateful();
  if (!stateful) return nullptr;
  if (processor.durable_sink()) {
    throw std::invalid_argument("stage '" + stage.name + "': processor '" + stage.processor +
                                "' is both a durable sink and stateful, which sluice cannot "
                                "checkpoint together");
  }
  if (!checkpoints) {
    throw std::invalid_argument("stage '" + stage.name + "': processor '" + stage.processor +
                                "' keeps state across restarts and needs `state_store:` (a "
                                "directory or s3:// URL shared by the stage's processes)");
  }
  return std::make_unique<PartitionStates>(stage.group, *stateful, *checkpoints);
}

kafka::StageClientSpec client_spec(const PipelineConfig& pipeline, const StageConfig& stage) {
  return {pipeline.bootstrap,
          stage.name,
          stage.group,
          stage.session_timeout_ms,
          stage.queue.max_buffered_bytes,
          stage.queue.fetch_min_bytes,
          stage.queue.linger_ms};
}

}  // namespace

StageRuntime::StageRuntime(const PipelineConfig& pipeline, const StageConfig& stage,
                           std::unique_ptr<Processor> processor, ops::MetricsRegistry& metrics,
                           CheckpointStore* checkpoints)
    : pipeline_(pipeline),
      stage_(stage),
      processor_(std::move(processor)),
      states_(make_states(*processor_, stage_, checkpoints)),
      metrics_(metrics, stage.name, stage.group),
      breakers_(stage_),
      router_(stage_),
      degradation_(stage_.name, stage_.degradation, breakers_.lag(), metrics),
      spill_(spill::make_stage_spill(pipeline_, stage_, *processor_,
                                     kafka::stage_producer_options(client_spec(pipeline_, stage_)),
                                     degradation_, metrics)),
      sink_(spill_ ? spill_->sink.get() : processor_->durable_sink()),
      flow_(stage_.queue),
      gauges_(metrics_, partitions_, breakers_, degradation_,
              stage_.degradation.memory_budget_bytes > 0),
      watchdog_(stage.stall, metrics, stage.name),
      assignment_(stage_, partitions_, sink_, states_.get(), metrics_, flow_,
                  [this](const std::vector<TopicPartition>& tps) {
                    drain_partitions(tps, mono_ms() + stage_.shutdown_timeout_ms);
                    commit(true, &tps);
                    for (const auto& tp : tps) watchdog_.forget(tp);
                  }) {
  auto on_error = [this](kafka::ErrorCode err, const std::string& reason) {
    on_client_error(err, reason);
  };
  const kafka::StageClientSpec clients = client_spec(pipeline_, stage_);
  consumer_ = std::make_unique<kafka::Consumer>(kafka::stage_consumer_options(clients),
                                                &assignment_, on_error);
  assignment_.attach(*consumer_);
  delivery_ = std::make_unique<Delivery>(kafka::stage_producer_options(clients), stage_,
                                         partitions_, metrics_, on_error, &watchdog_);
  Processor& runs = spill_ ? static_cast<Processor&>(*spill_->sink) : *processor_;
  batches_ = std::make_unique<BatchRunner>(runs, sink_, *delivery_, wakeup_);
  consumer_->notify(wakeup_.fd());
  delivery_->notify(wakeup_.fd());
  // By default, more workers than cores only adds wake-up latency (CPU-bound
  // processors); an I/O-bound stage (downloads) sets queue.workers explicitly.
  int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  int workers = stage_.queue.workers > 0 ? stage_.queue.workers : 2 * cores;
  workers = std::clamp(workers, 1, stage_.queue.max_in_flight);
  workers_ = std::make_unique<WorkerPool>(size_t(workers));
  // Half the workers at most for retries (at least one): the 1M-event chaos run
  // showed delay topics full of timing-out downloads taking every worker while
  // the input waited, whatever queue.workers said.
  retry_batch_budget_ = std::max(1, workers / 2);
  if (sink_ && sink_->records_per_flush() > stage_.queue.max_buffered_records) {
    log::warn("stage",
              "stage '{}': its sink flushes by size at {} records, but the stage holds at most {} "
              "(queue.max_buffered_records), so it will flush only by age and stay below what it "
              "could write; set queue.max_buffered_records above {} (docs/configuration.md)",
              stage_.name, sink_->records_per_flush(), stage_.queue.max_buffered_records,
              sink_->records_per_flush());
  }
}

StageRuntime::~StageRuntime() {
  delivery_->abandon();  // a worker waiting on a full producer queue gives up
  workers_.reset();
  // A record whose outputs were never acknowledged (run() gave up at its
  // deadline) is still held by its `self`: purging makes librdkafka report
  // those outputs as failed, which releases it.
  delivery_->producer().purge();
  delivery_->producer().flush(1000);
}

void StageRuntime::on_client_error(kafka::ErrorCode err, const std::string& reason) {
  if (kafka::is_connection_lost(err)) connected_ = false;
  if (kafka::is_login_refused(err)) {
    std::lock_guard lock(login_refused_mutex_);
    if (login_refused_.empty()) login_refused_ = reason;
  }
  log::warn("stage", "kafka client: {}", reason);
}

// Kafka Streams and Connect treat a refused login as fatal too: librdkafka would
// retry it for ever, and the stage would sit there consuming nothing, so it stops
// and says why (its supervisor restarts it, and the log line is in plain view).
void StageRuntime::throw_if_login_refused() {
  std::lock_guard lock(login_refused_mutex_);
  if (login_refused_.empty()) return;
  throw std::runtime_error(
      "the Kafka cluster at " + pipeline_.bootstrap + " refused the login: " + login_refused_ +
      "; check security.protocol, sasl.* and ssl.* (the pipeline file's `security:` block, "
      "SLUICE_SECURITY_PROTOCOL / SLUICE_SASL_* / SLUICE_SSL_*, or the profile)");
}

std::vector<std::string> StageRuntime::subscribed_topics() const {
  std::vector<std::string> topics = {stage_.input};
  for (size_t i = 1; i <= stage_.retry.delay_topic_delays_ms.size(); ++i)
    topics.push_back(router_.delay_topic(int(i)));
  return topics;
}

void StageRuntime::run() {
  std::vector<std::string> rerouted = subscribed_topics();
  rerouted.erase(rerouted.begin());  // the input is the producers' business, not ours
  if (stage_.dlq.enabled) {
    rerouted.push_back(stage_.dlq.topic);
    rerouted.push_back(stage_.dlq.topic + ".parked");
  }
  kafka::Producer& producer = delivery_->producer();
  input_partitions_ = kafka::partition_count(producer, stage_.input, 10000);
  throw_if_login_refused();
  if (stage_.degradation.watched()) {
    rerouted.push_back(stage_.degradation.parked_topic);
    parked_topic_ready_ = true;
  }
  kafka::ensure_topics(producer, rerouted, input_partitions_, 10000);
  if (kafka::ErrorCode rc = consumer_->subscribe(subscribed_topics()))
    throw std::runtime_error("stage '" + stage_.name +
                             "': subscribe failed: " + kafka::error_text(rc));
  metrics_.up(true);
  log::info("stage", "stage '{}' consuming {} in group '{}'", stage_.name, stage_.input,
            stage_.group);
  while (!stopping_) {
    poll_once();
    throw_if_login_refused();
  }

  log::info("stage", "stage '{}' stopping: finishing {} in-flight record(s)", stage_.name,
            in_flight_.load());
  std::vector<TopicPartition> all;
  for (const auto& [tp, state] : partitions_.all()) all.push_back(tp);
  const int64_t deadline = mono_ms() + stage_.shutdown_timeout_ms;
  drain_partitions(all, deadline);
  if (sink_) {
    sink_->flush(deadline);
    partitions_.settle_deferred(*sink_);
  }
  commit(true);
  consumer_->close();  // leaves the group; revocation (if any) drains again, harmlessly
  producer.flush(int(stage_.shutdown_timeout_ms));
  metrics_.up(false);
  log::info("stage", "stage '{}' stopped; offsets committed", stage_.name);
}

void StageRuntime::poll_once() {
  // Clearing notifications before draining the sources means none is missed.
  wakeup_.wait(idle_ ? kIdleWaitMs : 0);
  bool busy = read_input();
  if (!assignment_.failure().empty())
    throw std::runtime_error("stage '" + stage_.name + "': " + assignment_.failure());
  busy = delivery_->poll(0) > 0 || busy;
  busy = delivery_->renew_if_needed(mono_ms()) || busy;
  busy = drain_completions() || busy;
  if (states_) commit_quiet_checkpoints();
  dispatch();
  if (sink_) partitions_.settle_deferred(*sink_);
  apply_flow_control();
  idle_ = !busy;
  int64_t now = mono_ms();
  if (now >= next_commit_ms_) {
    commit(false);
    next_commit_ms_ = now + kCommitIntervalMs;
    if (assignment_.until_caught_up() && partitions_.caught_up()) {
      log::info("stage", "stage '{}' caught up with the end offsets seen at assignment; stopping",
                stage_.name);
      stopping_ = true;
    }
  }
  if (states_ && now >= next_tick_ms_) {
    delivery_->retry_ticks(now);
    tick_quiet_partitions();
    next_tick_ms_ = now + kTickIntervalMs;
  }
  if (now >= next_gauges_ms_) {
    const int64_t lag =
        gauges_.refresh(stage_.input, *consumer_, assignment_.count(), connected_, now_ms());
    // A stage paused on purpose (an operator, an open breaker) is held, not stuck.
    watchdog_.check(lag, operator_paused_ || breakers_.any_open(), now_ms());
    next_gauges_ms_ = now + kGaugeIntervalMs;
  }
}

// Takes what the consumer has ready (never waiting); true if it took anything.
// Rebalance callbacks run in here too, so while partitions are merely held
// back by a full buffer it is skipped only until FlowControl pauses them.
bool StageRuntime::read_input() {
  if (!flow_.reading()) return false;
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
    connected_ = true;
    const TopicPartition* tp = nullptr;
    PartitionState& state = partitions_.of(m.topic_id(), m.topic(), m.partition(), &tp);
    auto job = std::make_shared<InFlight>();
    job->tp = *tp;
    job->offset = m.offset();
    job->timestamp_ms = m.timestamp_ms();
    job->bytes = int64_t(m.size());
    job->not_before_ms = m.int_header(header::kNotBefore);
    job->message = std::move(m);
    partitions_.accept(state, std::move(job));
    took = true;
    if (counted_topic && tp->first != *counted_topic) {
      metrics_.consumed(*counted_topic, counted);
      counted = 0;
    }
    counted_topic = &tp->first;
    ++counted;
    if (partitions_.buffered() >= stage_.queue.max_buffered_records) break;
  }
  if (counted > 0) metrics_.consumed(*counted_topic, counted);
  return took;
}

void StageRuntime::dispatch() {
  if (operator_paused_ || stopping_) return;
  int64_t now = now_ms();
  int64_t mono = mono_ms();
  // A stateful processor sees each partition's records strictly one batch after
  // another: its state (and what it emits from it) follows the offset order.
  const int per_partition = states_ ? 1 : stage_.queue.in_flight_per_partition;
  for (auto& [tp, state] : partitions_.all()) {
    if (state->checkpoint_due) continue;          // let it go quiet for its state snapshot
    const bool retry = tp.first != stage_.input;  // a delay topic
    while (state->running < per_partition && in_flight_ < stage_.queue.max_in_flight &&
           (!retry || retry_batches_running_ < retry_batch_budget_)) {
      Batch batch = take_batch(*state, now, mono);
      if (batch.empty()) break;
      state->running += 1;
      if (retry) retry_batches_running_ += 1;
      workers_->submit([this, tp = tp, batch = std::move(batch)] { batches_->run(tp, batch); });
    }
  }
}

// A batch runs on one worker in offset order, so a partition costs one hand-off
// per batch rather than per record.
Batch StageRuntime::take_batch(PartitionState& state, int64_t now, int64_t mono) {
  Batch batch;
  const DegradationLevel level = degradation_.level();
  const bool parking = degradation_.parking();
  while (!state.pending.empty() && batch.size() < size_t(stage_.queue.batch_size) &&
         in_flight_ < stage_.queue.max_in_flight) {
    auto& head = state.pending.front();
    if (mono < state.wait_until_ms || now < head->not_before_ms) break;
    if (parking && !is_priority(*head)) {
      if (breakers_.any_open()) break;  // CIRCUIT_BREAK, or a breaker: nothing moves
      park(partitions_.take_head(state));
      continue;
    }
    head->permits.clear();
    if (!breakers_.allow(head->permits)) break;  // an open breaker holds every partition
    head->record.degraded = level >= DegradationLevel::kSoft;  // materialize() leaves it alone
    batch.push_back(partitions_.take_head(state));
    in_flight_ += 1;
  }
  return batch;
}

bool StageRuntime::drain_completions() {
  std::vector<Completion> done = batches_->take();
  for (auto& c : done) {
    // in_flight_ counts records being processed; acknowledgements are bounded by
    // the producer's own queue (produce() waits when it is full).
    in_flight_ -= int64_t(c.returned.size() + c.results.size());
    if (c.tp.first != stage_.input) retry_batches_running_ -= 1;
    if (PartitionState* state = partitions_.owner(c.tp, c.generation)) {
      state->running -= 1;
      // Unprocessed records go back to the head first; a retried failure then goes before them.
      for (auto r = c.returned.rbegin(); r != c.returned.rend(); ++r)
        partitions_.put_back(*state, *r);
    }
    for (auto& r : c.results)
      handle_outcome(std::move(r.job), std::move(r.outcome), r.seconds, r.sent);
    batches_->recycle(std::move(c.results));
  }
  return !done.empty();
}

void StageRuntime::handle_outcome(std::shared_ptr<InFlight> job, Outcome outcome, double seconds,
                                  bool sent) {
  metrics_.duration(seconds);
  BreakerSet::charge(job->permits, outcome);
  if (!outcome.ok) return handle_failure(std::move(job), outcome);
  processed_ += 1;
  if (outcome.deferred && sink_) {
    watchdog_.delivered(job->tp, job->offset);  // nothing of it waits on the producer any more
    partitions_.defer(std::move(job));  // false: revoked meanwhile, the new owner re-reads it
    return;
  }
  if (!sent) {  // no outputs: done, whatever earlier attempts failed to deliver
    watchdog_.delivered(job->tp, job->offset);
    return partitions_.done(*job);
  }
  delivery_->outcome_handled(std::move(job));
}

void StageRuntime::handle_failure(std::shared_ptr<InFlight> job, const Outcome& outcome) {
  metrics_.error(job->record.topic, outcome.category);
  job->attempts += 1;
  FailureRoute route = router_.route(job->record, outcome, job->attempts, now_ms());
  if (route.kind == FailureRoute::kRetryInProcess) {
    partitions_.requeue(std::move(job), mono_ms() + route.backoff_ms);
    return;
  }
  if (route.dead_letter) dead_lettered_ += 1;
  std::vector<OutputRecord> outputs;
  outputs.push_back(std::move(route.output));
  delivery_->send(std::move(job), std::move(outputs));
}

bool StageRuntime::is_priority(InFlight& head) {
  head.materialize();  // on the poll thread: the key decides, and only at GRACEFUL
  return head.record.key && degradation_.priority(*head.record.key);
}

void StageRuntime::park(std::shared_ptr<InFlight> job) {
  const std::string& topic = degradation_.parked_topic();
  if (!parked_topic_ready_) {  // a level set by an operator on a stage without thresholds
    kafka::ensure_topics(delivery_->producer(), {topic}, input_partitions_, 10000);
    parked_topic_ready_ = true;
  }
  std::vector<OutputRecord> outputs;
  outputs.push_back(
      to_parked(job->record, topic, {stage_.name, level_name(degradation_.level()), now_ms()}));
  degradation_.parked();
  delivery_->send(std::move(job), std::move(outputs));
}

void StageRuntime::apply_flow_control() {
  const bool breaker_open = breakers_.any_open();
  // Records a sink holds count too: they are in memory until it commits them.
  const FlowControl::Load load{partitions_.buffered() + partitions_.deferred(),
                               partitions_.buffered_bytes()};
  auto change = flow_.update(load, operator_paused_, breaker_open, mono_ms());
  if (!change) return;
  change->paused ? consumer_->pause_assignment() : consumer_->resume_assignment();
  log::info("stage", "stage '{}' {} consumption ({})", stage_.name,
            change->paused ? "paused" : "resumed", FlowControl::reason_name(change->reason));
}

void StageRuntime::commit(bool sync, const std::vector<TopicPartition>* only) {
  // A synchronous commit gives partitions up (revoke, shutdown): checkpoint them
  // whatever it costs, so the next owner replays as little as possible.
  if (states_) checkpoint_state(only, sync);
  std::vector<kafka::PartitionOffset> offsets = partitions_.take_commits(only);
  if (offsets.empty()) return;
  if (kafka::ErrorCode rc = consumer_->commit(offsets, sync)) {
    log::warn("stage", "stage '{}': commit failed: {}", stage_.name, kafka::error_text(rc));
    return;
  }
  watchdog_.committed(now_ms());
}

// A stateful processor's partitions whose committable offset moved: those with
// nothing running or unacknowledged are checkpointed now (state and offset in
// one object, before the group's offset may follow); the others stop taking new
// batches until they are quiet (commit_quiet_checkpoints).
//
// Pacing: a checkpoint writes the partition's state (all but its sealed blocks),
// so its cost grows with the state (a million open windows take seconds), and the partition takes
// no new batch while one is due. After a checkpoint that took T, the next one waits
// kCheckpointPacing × T unless `force`: checkpointing stays under about a tenth of
// the stage's time, and what grows instead is the replay after a crash (the
// group's offset never passes the last checkpoint, so nothing is lost). Nor is
// a partition checkpointed more often than the stage's state_checkpoint_interval:
// each checkpoint pauses the partition until its outputs are acknowledged.
void StageRuntime::checkpoint_state(const std::vector<TopicPartition>* only, bool force) {
  const int64_t now = mono_ms();
  for (auto& [tp, state] : partitions_.all()) {
    if (only && std::find(only->begin(), only->end(), tp) == only->end()) continue;
    if (!force && !state->checkpoint_due && now < state->next_checkpoint_ms) continue;
    const int64_t committable = std::max(state->tracker.committable(), state->checkpointed);
    if (committable < 0 || (committable <= state->checkpointed && !state->state_changed)) {
      state->checkpoint_due = false;
      continue;
    }
    if (state->running > 0 || state->unacked > 0) {
      state->checkpoint_due = true;
      continue;
    }
    try {
      const int64_t started = mono_ms();
      states_->checkpoint(tp.first, tp.second, committable, state->state_changed);
      state->checkpointed = committable;
      state->state_changed = false;
      const int64_t took = mono_ms() - started;
      // Commits come every kCommitIntervalMs: half of one is the slack that
      // keeps a 1 s interval from skipping every other commit.
      state->next_checkpoint_ms =
          started + std::max(took + kCheckpointPacing * took,
                             stage_.state_checkpoint_interval_ms - kCommitIntervalMs / 2);
    } catch (const std::exception& e) {
      // Offsets stay at the last checkpoint, so nothing is lost; the next commit tries again.
      log::error("stage", "stage '{}': cannot checkpoint the state of {}-{} at offset {}: {}",
                 stage_.name, tp.first, tp.second, committable, e.what());
    }
    state->checkpoint_due = false;
  }
}

void StageRuntime::commit_quiet_checkpoints() {
  std::vector<TopicPartition> quiet;
  for (const auto& [tp, state] : partitions_.all()) {
    if (state->checkpoint_due && state->running == 0 && state->unacked == 0) quiet.push_back(tp);
  }
  if (!quiet.empty()) commit(false, &quiet);
}

// A tick for each partition whose state reflects exactly the records below a
// known offset (nothing pending, running or unacknowledged): what it emits is
// produced, and once acknowledged the changed state is checkpointed at that
// same offset (checkpoint_state), so the commit never passes what a
// checkpoint covers and a restart does not emit it again.
void StageRuntime::tick_quiet_partitions() {
  StatefulProcessor* stateful = processor_->stateful();
  for (auto& [tp, state] : partitions_.all()) {
    if (!state->stateful || state->running > 0 || state->unacked > 0 || !state->pending.empty() ||
        state->tracker.in_flight() > 0 || state->checkpoint_due)
      continue;
    if (std::max(state->tracker.committable(), state->checkpointed) < 0) continue;  // no position
    std::vector<OutputRecord> outputs;
    try {
      outputs = stateful->tick(tp.first, tp.second);
    } catch (const std::exception& e) {
      log::error("stage", "stage '{}': tick of {}-{} failed: {}", stage_.name, tp.first, tp.second,
                 e.what());
      continue;
    }
    delivery_->send_tick(tp, std::move(outputs));
  }
}

void StageRuntime::drain_partitions(const std::vector<TopicPartition>& parts, int64_t deadline_ms) {
  while (partitions_.busy(parts) && mono_ms() < deadline_ms) {
    delivery_->poll(10);
    drain_completions();
    delivery_->retry_ticks(mono_ms());  // a parked tick holds its partition busy
  }
  if (partitions_.busy(parts))
    log::warn(
        "stage",
        "stage '{}': shutdown deadline passed with records in flight; they will be re-consumed",
        stage_.name);
}

StageStatus StageRuntime::status() const {
  return {stage_.name,       operator_paused_.load(), assignment_.count(),  partitions_.buffered(),
          in_flight_.load(), processed_.load(),       dead_lettered_.load()};
}

}  // namespace sluice::pipeline
