#include "pipeline/spill/spilling_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <exception>

#include "common/clock.h"
#include "common/log.h"
#include "pipeline/spill/spill_format.h"

namespace sluice::pipeline::spill {
namespace {

// The categories the runtime retries in process; the drain retries them too.
bool retried(ErrorCategory category) {
  return category == ErrorCategory::kTransient || category == ErrorCategory::kTimeout ||
         category == ErrorCategory::kCircuitOpen;
}

}  // namespace

// One input partition: its spill and where its records went.
struct SpillingSink::Lane {
  std::mutex mu;
  TopicPartition tp;
  std::unique_ptr<SpillLog> log;
  uint64_t accounted_bytes = 0;  // log->bytes() as counted in total_bytes_
  // Resume gap (see the header): records below it go straight to the inner
  // sink and the drain waits; -1 once a record at or above it was seen.
  int64_t gap_first = -1;
  // The spill's end when it was recovered with a gap below it: a record
  // below is in the spill, read again from Kafka, and is not handed on again.
  int64_t recovered_end = -1;
  // The offset after the last record the inner sink deferred when handed it straight.
  int64_t direct_deferred_end = -1;
  // direct_deferred_end when the last record was spilled (in a gap: of the
  // records below the spill): the spill's records count as durable only once
  // the inner sink's durable_through() reached it.
  int64_t prefix_end = -1;
  int64_t reported = -1;    // the highest durable_through() returned
  std::deque<int64_t> fed;  // fed from the spill, deferred by the sink, not yet durable
  int64_t retry_at_ms = 0;  // the drain waits until then (monotonic)
  int64_t backoff_ms = 0;
  bool sync_failing = false;  // logged once until a sync succeeds again
  bool feeding = false;       // a drain is dead-lettering a record without the lock
  bool released = false;
};

SpillingSink::SpillingSink(Processor& inner, DurableSink& inner_sink, std::string stage,
                           SpillingSinkOptions options, std::function<bool()> spill_wanted,
                           DeadLetter dead_letter, ops::MetricsRegistry& metrics)
    : inner_(inner),
      inner_sink_(inner_sink),
      stage_(std::move(stage)),
      options_(std::move(options)),
      spill_wanted_(std::move(spill_wanted)),
      dead_letter_(std::move(dead_letter)),
      bytes_gauge_(metrics.gauge("sluice_degradation_spilled_bytes",
                                 "Bytes of the sink's input spilled to local disk now",
                                 {{"stage", stage_}})),
      spilled_(metrics.counter("sluice_degradation_spilled_records_total",
                               "Records written to the spill instead of the sink",
                               {{"stage", stage_}})),
      drained_(metrics.counter("sluice_degradation_drained_records_total",
                               "Spilled records fed to the sink (or dead-lettered by it)",
                               {{"stage", stage_}})) {
  if (options_.drain_thread) drainer_ = std::thread([this] { run(); });
}

SpillingSink::~SpillingSink() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (drainer_.joinable()) drainer_.join();
}

Outcome SpillingSink::process(const Record& record) {
  std::shared_ptr<Lane> lane;
  try {
    lane = lane_of(record);
  } catch (const std::exception& e) {
    // Held and retried, as a full spill: a disk error must not send records to the DLQ.
    return Outcome::failure(ErrorCategory::kCircuitOpen,
                            "stage '" + stage_ + "': cannot open the spill: " + e.what());
  }
  std::lock_guard lock(lane->mu);
  if (lane->released) {  // revoked meanwhile: the runtime drops this outcome
    return Outcome::failure(ErrorCategory::kCircuitOpen, "the partition was revoked");
  }
  if (lane->gap_first >= 0) {
    if (record.offset < lane->gap_first) return pass(*lane, record);
    lane->gap_first = -1;  // everything below the spill was handed on: it may drain now
  }
  if (record.offset < lane->recovered_end) return Outcome::deferred_success();  // in the spill
  try {
    // A record below the spill's end went straight to the sink before and is
    // back (its dead letter failed): it cannot join the spill behind newer ones.
    if (record.offset >= lane->log->end() && (lane->log->unread() || spill_wanted_()))
      return spill(*lane, record);
  } catch (const SpillError& e) {
    return Outcome::failure(ErrorCategory::kCircuitOpen,
                            "stage '" + stage_ + "': cannot read the spill: " + e.what());
  }
  return pass(*lane, record);
}

Outcome SpillingSink::pass(Lane& lane, const Record& record) {
  Outcome outcome = inner_.process(record);
  if (outcome.ok && outcome.deferred) {
    lane.direct_deferred_end = record.offset + 1;
    if (lane.gap_first >= 0) lane.prefix_end = lane.direct_deferred_end;
  }
  return outcome;
}

Outcome SpillingSink::spill(Lane& lane, const Record& record) {
  const uint64_t needed = entry_bytes(record);
  if (lane.log->empty() && needed > options_.max_bytes) return pass(lane, record);
  if (total_bytes_.load() + needed > options_.max_bytes) return full();
  // Every record the sink got straight so far is below this one: spilled
  // records count as durable only once those are durable in the sink.
  lane.prefix_end = lane.direct_deferred_end;
  bool appended = false;
  try {
    appended = lane.log->append(record);
  } catch (const SpillError& e) {
    account(lane);
    // Held and retried like a full spill: a disk error must not send records to the DLQ.
    return Outcome::failure(ErrorCategory::kCircuitOpen,
                            "stage '" + stage_ + "': cannot spill: " + e.what());
  }
  account(lane);
  if (!appended) return full();
  spilled_.inc();
  return Outcome::deferred_success();
}

Outcome SpillingSink::full() const {
  return Outcome::failure(
      ErrorCategory::kCircuitOpen,
      fmt::format("spill full at {} bytes (degradation.spill_max_bytes); the sink is not keeping "
                  "up, so the partition waits until the spill drains",
                  total_bytes_.load()));
}

int64_t SpillingSink::resume_offset(const std::string& topic, int32_t partition) {
  retire({topic, partition});  // assigned again without a release: start over from the disk
  const int64_t inner_resume = inner_sink_.resume_offset(topic, partition);
  int64_t resume = inner_resume;
  std::shared_ptr<Lane> lane = open_lane({topic, partition}, inner_resume, &resume);
  std::lock_guard lock(lanes_mu_);
  lanes_[{topic, partition}] = std::move(lane);
  return resume;
}

// Forgets the partition's lane; its spill's files stay, synced, for the next owner.
void SpillingSink::retire(const TopicPartition& tp) {
  std::shared_ptr<Lane> lane;
  {
    std::lock_guard lock(lanes_mu_);
    auto it = lanes_.find(tp);
    if (it == lanes_.end()) return;
    lane = std::move(it->second);
    lanes_.erase(it);
  }
  std::lock_guard lock(lane->mu);
  lane->released = true;
  sync(*lane);
  lane->log.reset();
  account(*lane);
}

// Recovers the partition's spill and sets it against the inner sink's resume
// offset (the three cases of the header); `*resume` is where to read from.
std::shared_ptr<SpillingSink::Lane> SpillingSink::open_lane(const TopicPartition& tp,
                                                            int64_t inner_resume, int64_t* resume) {
  auto lane = std::make_shared<Lane>();
  lane->tp = tp;
  lane->log =
      std::make_unique<SpillLog>(options_.dir / (tp.first + "-" + std::to_string(tp.second)),
                                 options_.max_bytes, options_.segment_bytes);
  SpillLog& log = *lane->log;
  if (log.recovery().dropped_bytes > 0) {
    log::warn("stage",
              "stage '{}': spill of {}-{}: dropped {} byte(s) of a torn or corrupted "
              "tail ({}); those records were never committed and are read again from Kafka",
              stage_, tp.first, tp.second, log.recovery().dropped_bytes,
              log.recovery().dropped_reason);
  }
  *resume = inner_resume;
  if (log.empty()) {
    // Nothing to deliver.
  } else if (inner_resume >= log.end()) {
    log.clear();  // the sink has all of it
  } else if (inner_resume >= log.first()) {
    log.discard_through(inner_resume);
    *resume = log.end();
  } else {
    lane->gap_first = log.first();
    lane->recovered_end = log.end();
  }
  if (log.recovery().records > 0) {
    log::info("stage",
              "stage '{}': {}-{} has {} spilled record(s) on disk; the sink resumes at {}, "
              "so the partition is read from {}",
              stage_, tp.first, tp.second, log.recovery().records, inner_resume, *resume);
  }
  account(*lane);
  return lane;
}

std::shared_ptr<SpillingSink::Lane> SpillingSink::lane_of(const Record& record) {
  TopicPartition tp{record.topic, record.partition};
  {
    std::lock_guard lock(lanes_mu_);
    auto it = lanes_.find(tp);
    if (it != lanes_.end()) return it->second;
  }
  // Not assigned through resume_offset(): whatever is on disk is treated as
  // after a sink without a position (the gap case).
  int64_t resume = -1;
  std::shared_ptr<Lane> lane = open_lane(tp, -1, &resume);
  std::lock_guard lock(lanes_mu_);
  return lanes_.emplace(tp, lane).first->second;
}

std::vector<std::shared_ptr<SpillingSink::Lane>> SpillingSink::lanes() {
  std::lock_guard lock(lanes_mu_);
  std::vector<std::shared_ptr<Lane>> all;
  for (auto& [tp, lane] : lanes_) all.push_back(lane);
  return all;
}

int64_t SpillingSink::durable_through(const std::string& topic, int32_t partition) {
  // Read before the lane's state: a stale value only claims less.
  const int64_t inner_durable = inner_sink_.durable_through(topic, partition);
  std::shared_ptr<Lane> lane;
  {
    std::lock_guard lock(lanes_mu_);
    auto it = lanes_.find({topic, partition});
    if (it == lanes_.end()) return inner_durable;
    lane = it->second;
  }
  std::lock_guard lock(lane->mu);
  int64_t candidate = inner_durable;
  if (lane->log && lane->gap_first < 0 && lane->prefix_end <= inner_durable)
    candidate = std::max(inner_durable, lane->log->durable_end());
  // Kept monotonic: records come in offset order, so none is deferred below
  // a value once returned.
  lane->reported = std::max(lane->reported, candidate);
  return lane->reported;
}

void SpillingSink::release(const std::string& topic, int32_t partition) {
  retire({topic, partition});
  inner_sink_.release(topic, partition);
}

void SpillingSink::flush(int64_t deadline_ms) {
  for (auto& lane : lanes()) {
    std::lock_guard lock(lane->mu);
    sync(*lane);
  }
  // Drain what may be drained before the sink's own flush makes it durable;
  // a sink refusing records, or the level still wanting the spill, leaves it
  // on disk, committed and delivered after the restart.
  bool fed = true;
  while (fed && mono_ms() < deadline_ms) {
    fed = false;
    for (auto& lane : lanes()) {
      std::unique_lock lock(lane->mu);
      fed = drain(*lane, lock) || fed;
    }
  }
  inner_sink_.flush(deadline_ms);
  for (auto& lane : lanes()) {
    std::lock_guard lock(lane->mu);
    settle(*lane);
  }
}

bool SpillingSink::pump() {
  bool fed = false;
  for (auto& lane : lanes()) {
    std::unique_lock lock(lane->mu);
    sync(*lane);
    fed = drain(*lane, lock) || fed;
    settle(*lane);
  }
  return fed;
}

void SpillingSink::run() {
  std::unique_lock lock(wake_mu_);
  while (!stopping_) {
    lock.unlock();
    bool fed = false;
    try {
      fed = pump();
    } catch (const std::exception& e) {
      log::error("stage", "stage '{}': spill drain: {}", stage_, e.what());
    }
    lock.lock();
    if (!fed) wake_.wait_for(lock, std::chrono::milliseconds(options_.sync_interval_ms));
  }
}

void SpillingSink::sync(Lane& lane) {
  if (!lane.log) return;
  try {
    lane.log->sync();
    lane.sync_failing = false;
  } catch (const SpillError& e) {
    // Unsynced records stay uncommitted; the stage's progress watchdog sees it stall.
    if (!lane.sync_failing) log::error("stage", "stage '{}': {}", stage_, e.what());
    lane.sync_failing = true;
  }
}

// Feeds the lane's spill to the inner sink, up to drain_batch records.
bool SpillingSink::drain(Lane& lane, std::unique_lock<std::mutex>& lock) {
  if (lane.released || !lane.log || lane.feeding || lane.gap_first >= 0 ||
      mono_ms() < lane.retry_at_ms)
    return false;
  int fed = 0;
  while (fed < options_.drain_batch && !spill_wanted_() && feed_one(lane, lock)) ++fed;
  return fed > 0;
}

// The next spilled record to the inner sink; false when there is none or the
// sink refused it for now (the lane then backs off).
bool SpillingSink::feed_one(Lane& lane, std::unique_lock<std::mutex>& lock) {
  if (lane.log->read_position() >= lane.log->durable_end()) sync(lane);  // invariant 3
  const Record* next = lane.log->peek();
  if (!next || next->offset >= lane.log->durable_end()) return false;
  Record record = *next;
  record.topic = lane.tp.first;
  record.partition = lane.tp.second;
  Outcome outcome;
  try {
    outcome = inner_.process(record);
  } catch (const std::exception& e) {
    outcome =
        Outcome::failure(ErrorCategory::kPermanent, std::string("processor threw: ") + e.what());
  }
  if (!outcome.ok && !retried(outcome.category)) {
    // The dead letter waits for Kafka's acknowledgement: without the lock, so
    // durable_through() on the poll thread and process() on workers (which
    // spill behind this still unread record) go on meanwhile.
    lane.feeding = true;
    lock.unlock();
    std::string failed;
    try {
      dead_letter_(record, outcome);
    } catch (const std::exception& e) {
      failed = e.what();
    }
    lock.lock();
    lane.feeding = false;
    if (lane.released || !lane.log) return false;
    if (!failed.empty()) {
      log::error("stage", "stage '{}': cannot dead-letter spilled record {}-{}@{}: {}; retrying",
                 stage_, lane.tp.first, lane.tp.second, record.offset, failed);
      outcome.category = ErrorCategory::kTransient;  // keep it and back off
    }
  }
  if (!outcome.ok && retried(outcome.category)) {
    lane.backoff_ms =
        std::clamp(lane.backoff_ms * 2, options_.retry_initial_ms, options_.retry_max_ms);
    lane.retry_at_ms = mono_ms() + lane.backoff_ms;
    return false;
  }
  if (outcome.ok && !outcome.outputs.empty()) {
    log::warn("stage",
              "stage '{}': the sink returned outputs for spilled record {}-{}@{}; a "
              "drained record's outputs are not produced",
              stage_, lane.tp.first, lane.tp.second, record.offset);
  }
  if (outcome.ok && outcome.deferred) lane.fed.push_back(record.offset);
  lane.log->advance();
  lane.backoff_ms = 0;
  drained_.inc();
  return true;
}

// Drops from the spill every record the inner sink no longer needs from it.
void SpillingSink::settle(Lane& lane) {
  if (lane.released || !lane.log) return;
  const int64_t inner_durable = inner_sink_.durable_through(lane.tp.first, lane.tp.second);
  while (!lane.fed.empty() && lane.fed.front() < inner_durable) lane.fed.pop_front();
  const int64_t needed_from = lane.fed.empty() ? lane.log->read_position() : lane.fed.front();
  lane.log->discard_through(needed_from);
  account(lane);
}

void SpillingSink::account(Lane& lane) {
  const uint64_t now = lane.log ? lane.log->bytes() : 0;
  total_bytes_ += now - lane.accounted_bytes;  // unsigned wrap-around adds a decrease
  lane.accounted_bytes = now;
  bytes_gauge_.set(double(total_bytes_.load()));
}

}  // namespace sluice::pipeline::spill
