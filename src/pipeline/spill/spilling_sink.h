// SpillingSink: what the AGGRESSIVE degradation level does to a stage's
// durable sink (issue 19 item 5). While spill_wanted() (the level is
// AGGRESSIVE or higher), the sink's input goes to bounded, crash-safe local
// segment files (SpillLog, docs/formats/spill-segment.md) instead of the sink,
// and its offsets become committable as soon as the files are fsync'ed; once
// the level drops, a drain thread feeds the spill to the sink in order.
//
// It wraps the stage's sink (a Processor that is a DurableSink, e.g. the
// table sink) and is one itself, so the runtime needs no other change.
//
// Invariants, per input partition:
//  1. The inner sink sees offsets in increasing order, each record once,
//     whether it went straight to it or through the spill. A record goes to
//     the spill while the spill holds a record not yet fed to the sink, or
//     while spill_wanted(); the drain feeds the spill in order; a record read
//     again after a restart that is in the recovered spill is not handed on
//     again. Precondition, as for the table sink: process() sees one
//     partition's records in offset order (queue.in_flight_per_partition: 1),
//     a record refused for now again before any later one. (A record refused
//     for good whose dead letter then failed comes back later; it goes to the
//     sink again, never into the spill behind newer records.)
//  2. durable_through() never passes a deferred record that is neither durable
//     in the inner sink nor fsync'ed in the spill: spilled records count only
//     once every record the sink got straight before them is durable there.
//  3. A record reaches the inner sink from the spill only after it is
//     fsync'ed there, and leaves the spill only once the sink made it durable
//     (its durable_through() passed it), acknowledged it without deferring,
//     or refused it for good and `dead_letter` returned.
//  4. The spill of all partitions together stays within max_bytes, to within
//     one record per worker thread. A record that does not fit fails as
//     circuit_open: the runtime holds the partition and retries it with
//     backoff — backpressure, never a delay topic or the DLQ. A record larger
//     than the whole bound goes straight to the sink when nothing is spilled.
//
// Restart (resume_offset): the spill on disk is recovered and set against the
// inner sink's resume offset t (the next record it needs):
//  - empty, or entirely below t: deleted; resume at t;
//  - holds t (first <= t < end): the part below t is dropped; resume at the
//    spill's end, and the drain delivers [t, end) first;
//  - starts above t (a gap: the records in between reached the sink but were
//    not durable when the process died), or t is -1 (the sink has no position
//    of its own): resume at t; records below the spill's first offset go
//    straight to the sink, those in the spill are skipped, later ones are
//    appended; the drain starts once a record at or above the spill's first
//    offset was seen (so a partition that gets no such record keeps its spill,
//    durable, until it does).
// Rebalance (release): the spill's files stay. A next owner on this host
// resumes from them as above; one elsewhere resumes at the sink's own offset
// and re-reads from Kafka what this spill held (for a sink without a resume
// offset, that part stays here until the partition comes back).
//
// Threads: process() on workers; resume_offset(), durable_through() and
// release() on the poll thread; flush() at shutdown; the drain thread syncs
// every spill each sync_interval_ms and drains. The inner sink's process() is
// called with its partition's lock held (so never for two records of one
// partition at once), and its durable_through() from the drain thread too.
// A dead letter is awaited without the lock; the partition's drain waits for it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ops/metrics.h"
#include "pipeline/processor.h"
#include "pipeline/spill/spill_log.h"

namespace sluice::pipeline::spill {

struct SpillingSinkOptions {
  std::filesystem::path dir;  // this stage's spill: <degradation.spill_dir>/<stage>
  uint64_t max_bytes = 0;     // degradation.spill_max_bytes, all partitions together
  uint64_t segment_bytes = SpillLog::kDefaultSegmentBytes;
  int64_t sync_interval_ms = 20;   // how stale a spilled record's commit may be
  int64_t retry_initial_ms = 100;  // backoff of a drained record the sink refused for now
  int64_t retry_max_ms = 5000;
  int drain_batch = 500;     // records fed per partition before the next partition's turn
  bool drain_thread = true;  // false: nothing drains or syncs unless pump() is called (tests)
};

class SpillingSink : public Processor, public DurableSink {
 public:
  // Called for a drained record the inner sink refused for good; returns once
  // the record's dead letter is acknowledged (throws if it could not be).
  using DeadLetter = std::function<void(const Record&, const Outcome&)>;

  SpillingSink(Processor& inner, DurableSink& inner_sink, std::string stage,
               SpillingSinkOptions options, std::function<bool()> spill_wanted,
               DeadLetter dead_letter, ops::MetricsRegistry& metrics);
  ~SpillingSink() override;
  SpillingSink(const SpillingSink&) = delete;
  SpillingSink& operator=(const SpillingSink&) = delete;

  Outcome process(const Record& record) override;
  DurableSink* durable_sink() override { return this; }

  int64_t resume_offset(const std::string& topic, int32_t partition) override;
  int64_t durable_through(const std::string& topic, int32_t partition) override;
  void release(const std::string& topic, int32_t partition) override;
  void flush(int64_t deadline_ms) override;
  int64_t records_per_flush() const override { return inner_sink_.records_per_flush(); }

  // One round of the drain thread's work: fsync every spill, feed each
  // drainable partition up to drain_batch records, drop what the sink made
  // durable. True if a record was fed.
  bool pump();
  uint64_t spilled_bytes() const { return total_bytes_.load(); }

 private:
  struct Lane;
  using TopicPartition = std::pair<std::string, int32_t>;

  std::shared_ptr<Lane> lane_of(const Record& record);
  std::shared_ptr<Lane> open_lane(const TopicPartition& tp, int64_t inner_resume, int64_t* resume);
  std::vector<std::shared_ptr<Lane>> lanes();
  void retire(const TopicPartition& tp);
  Outcome pass(Lane& lane, const Record& record);
  Outcome spill(Lane& lane, const Record& record);
  Outcome full() const;
  void sync(Lane& lane);
  bool drain(Lane& lane, std::unique_lock<std::mutex>& lock);
  bool feed_one(Lane& lane, std::unique_lock<std::mutex>& lock);
  void settle(Lane& lane);
  void account(Lane& lane);
  void run();

  Processor& inner_;
  DurableSink& inner_sink_;
  const std::string stage_;
  const SpillingSinkOptions options_;
  const std::function<bool()> spill_wanted_;
  const DeadLetter dead_letter_;
  ops::Gauge& bytes_gauge_;
  ops::Counter& spilled_;
  ops::Counter& drained_;

  std::mutex lanes_mu_;  // guards the map only; each lane has its own lock
  std::map<TopicPartition, std::shared_ptr<Lane>> lanes_;
  std::atomic<uint64_t> total_bytes_{0};

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread drainer_;  // last: it uses everything above
};

}  // namespace sluice::pipeline::spill
