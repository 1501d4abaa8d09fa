// The ticks still in Kafka: `sluice serve --bootstrap` follows the table sink's
// input topic, so answers are seconds fresh instead of one sink flush old
// (docs/query-api.md#fresh-ticks-from-kafka). What is held, and the boundary
// that keeps every tick in an answer exactly once, is TailRecords'
// (tail_records.h); this is the reader that fills it.
//
// A background thread follows the table's latest snapshot (every 500 ms: the
// rows it holds are dropped), looks for the topic's partitions (every 5 s; every
// second while the topic or the cluster is missing), and reads each partition
// from TailRecords::positions() with a group-less assign() consumer: it joins no
// group and commits nothing.
//
// Invariant: nothing the cluster or the table does stops the thread: a missing
// topic, an unreachable broker, a missing table or a record that is not a row
// are each logged once (per change, or every 10 s for records) and retried or
// skipped; the metrics say what is held and how far behind the topic it is.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kafka/consumer.h"
#include "kafka/message.h"
#include "ops/metrics.h"
#include "serve/table_snapshots.h"
#include "serve/tail_records.h"

namespace sluice::serve {

class KafkaTail {
 public:
  // `records` says which topic and stage; `snapshots` must outlive the tail; series
  // are registered in `metrics` now. Throws kafka::KafkaError when librdkafka refuses
  // the consumer's configuration; nothing is asked of the cluster yet.
  KafkaTail(std::string bootstrap, TailRecordsOptions records, TableSnapshots& snapshots,
            ops::MetricsRegistry& metrics);
  ~KafkaTail();  // stops the thread
  KafkaTail(const KafkaTail&) = delete;
  KafkaTail& operator=(const KafkaTail&) = delete;

  void start();
  const std::string& topic() const { return records_.options().topic; }

  // TailRecords::visit_after: the rows after `snapshot`, or nullopt (take a newer one).
  std::optional<TailReadout> visit_after(
      const lake::delta::TableState& snapshot,
      const std::function<void(const lake::parquet::Row&)>& visit) const {
    return records_.visit_after(snapshot, visit);
  }

 private:
  struct Metrics {
    ops::Gauge &records, &bytes, &lag, &partitions;
    ops::Counter &skipped, &full;
  };

  void run();
  // Keeps one consumed record; true when the cap was reached (the reader must stop).
  bool take(const kafka::ConsumedMessage& m);
  // Points the consumer at TailRecords::positions() (nowhere while full); false on failure.
  bool seek();
  void publish_gauges();
  // Says that `snapshot` has rows but no txn of this stage and topic (a wrong --stage?).
  void warn_if_no_txn(const lake::delta::TableState& snapshot,
                      const std::vector<int32_t>& ids) const;
  void skipped(int32_t partition, int64_t offset, const std::string& why);

  std::string bootstrap_;
  TailRecords records_;
  TableSnapshots& snapshots_;
  std::unique_ptr<kafka::Consumer> consumer_;  // used on the tail's thread only
  Metrics metrics_;
  int64_t last_skip_log_ms_ = INT64_MIN / 2;  // the tail's thread only
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sluice::serve
