// The ticks still in Kafka: `sluice serve --bootstrap` follows the table sink's
// input topic, so answers are seconds fresh instead of one sink flush old
// (docs/query-api.md#fresh-ticks-from-kafka).
//
// The boundary: the table sink commits, with each file, one `txn` action per
// Kafka partition (app id "<stage>/<topic>/<partition>", version = the last
// offset in the table; stages/table_sink/table_sink.h). So for one snapshot,
// partition p's records up to txn_version(p) are in the table and the ones
// after it are not. The tail reads every partition from the latest snapshot's
// txn version + 1, decodes each record as the sink does (lake/delta/json_row.h)
// and keeps the rows in memory; as newer snapshots arrive, what they hold is
// dropped.
//
// Invariants:
//  - per partition the tail holds every record after `trimmed_through` that
//    it has read, in offset order: a contiguous run of the log, minus records
//    that are not rows of the table (skipped and counted, as the sink sends
//    them to its DLQ);
//  - visit_after(S) hands out exactly the records after S's txn version of
//    each partition, or refuses (nullopt) when the tail has already dropped
//    some of them for a snapshot newer than S — never a partial answer; as
//    trimming follows only snapshots TableSnapshots has kept, a snapshot taken
//    after the refusal is new enough;
//  - memory is bounded: at max_records or max_bytes (estimated) the tail stops
//    reading (logged once, counted) and resumes where it stopped once commits
//    have freed a quarter of it, so what it holds stays contiguous.
//
// Threads: one background thread owns the consumer and the admin client;
// requests read under a shared lock. A missing topic, an unreachable broker or
// a missing table are retried with a log line, never fatal.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "lake/delta/partitions.h"
#include "lake/delta/table_state.h"
#include "ops/metrics.h"
#include "serve/table_snapshots.h"

namespace sluice::serve {

struct KafkaTailOptions {
  std::string bootstrap;        // HOST:PORT of the cluster
  std::string topic;            // the table sink's input topic
  std::string stage = "ticks";  // the table sink stage's name: its txn app ids start "<stage>/"
  int64_t max_records = 1'000'000;
  int64_t max_bytes = 512ll << 20;  // estimated memory of the decoded rows
  // A date column missing from a record is the UTC day of the time column, as the
  // sink's `derive: {date: date(time)}` fills it; "" or a column the table lacks: no fill.
  std::string date_column, time_column;
};

// What one answer took from the tail.
struct TailReadout {
  int64_t records = 0;     // records after the snapshot's boundary (all partitions)
  int32_t partitions = 0;  // partitions followed
  bool full = false;       // the cap stopped reading: newer ticks are missing
};

class KafkaTail {
 public:
  // `snapshots` must outlive the tail; series are registered in `metrics` now.
  KafkaTail(KafkaTailOptions options, TableSnapshots& snapshots, ops::MetricsRegistry& metrics);
  ~KafkaTail();  // stops the thread
  KafkaTail(const KafkaTail&) = delete;
  KafkaTail& operator=(const KafkaTail&) = delete;

  void start();
  const KafkaTailOptions& options() const { return options_; }

  // Calls `visit` with each row held after `snapshot`'s txn version of its
  // partition (rows of `snapshot`'s schema). nullopt, without a call, when the
  // tail no longer holds all of them or decodes with another schema: take a
  // newer snapshot and ask again.
  std::optional<TailReadout> visit_after(
      const lake::delta::TableState& snapshot,
      const std::function<void(const lake::parquet::Row&)>& visit) const;

 private:
  struct Held {
    int64_t offset;
    lake::parquet::Row row;
    int64_t bytes;
  };
  struct PartitionTail {
    int64_t trimmed_through = -1;  // offsets up to here are not held (in the table)
    int64_t next = 0;              // the next offset to read
    std::deque<Held> held;         // ascending offsets, all > trimmed_through
  };
  struct Metrics {
    ops::Gauge &records, &bytes, &lag, &partitions;
    ops::Counter &skipped, &full;
  };
  void run();
  std::string app_id(int32_t partition) const;
  // With the state lock held: follow `snapshot` (trim, or start over on a new schema).
  // Returns whether the consumer must be re-assigned.
  bool follow(const lake::delta::TableState& snapshot);
  bool add_partitions(const std::vector<int32_t>& ids);
  // Decodes and keeps one record; false when the cap is reached (not kept).
  bool keep(int32_t partition, int64_t offset, const std::string& value);
  bool update_full();  // with the lock held; true when the state changed
  // Says that `snapshot` has rows but no txn of this stage and topic (a wrong --stage?).
  void warn_no_txn(const lake::delta::TableState& snapshot) const;
  void publish_gauges();

  KafkaTailOptions options_;
  TableSnapshots& snapshots_;
  Metrics metrics_;

  mutable std::shared_mutex mu_;  // guards everything below
  std::string schema_string_;     // the schema rows are decoded with; "" before the table exists
  std::unique_ptr<lake::delta::PartitionLayout> layout_;
  int date_index_ = -1, time_index_ = -1;
  std::map<int32_t, PartitionTail> partitions_;
  int64_t records_ = 0, bytes_ = 0;
  bool full_ = false;

  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sluice::serve
