// The records of the table sink's input topic that the table does not hold
// yet, per partition, as rows of the table: what KafkaTail reads into and
// what requests merge (docs/query-api.md#fresh-ticks-from-kafka).
//
// The boundary: the table sink commits, with each file, one `txn` action per
// Kafka partition (app id "<stage>/<topic>/<partition>", version = the last
// offset in the table; stages/table_sink/table_sink.h). So for one snapshot,
// partition p's records up to txn_version(p) are in the table and the ones
// after it are not.
//
// Invariants:
//  - per partition, the rows held are every record read after
//    `trimmed_through` (the txn version of the newest snapshot followed), in
//    offset order, minus the records that are not rows of the table (skipped,
//    as the sink sends them to its DLQ): a contiguous run of the log;
//  - visit_after(S) hands out exactly the rows after S's txn version of each
//    partition, or refuses (nullopt) when some were already dropped for a
//    snapshot newer than S — never a partial answer;
//  - at max_records or max_bytes nothing more is added (the reader stops, and
//    resumes at positions() once commits have freed a quarter).
//
// Threads: one writer (follow, add_partitions, add), any number of readers
// (visit_after, counts, positions) under a shared lock. No Kafka here: the
// reader hands in offsets and values, so this is tested without a broker.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "lake/delta/derived_columns.h"
#include "lake/delta/partitions.h"
#include "lake/delta/table_state.h"

namespace sluice::serve {

struct TailRecordsOptions {
  std::string stage = "ticks";  // the table sink stage's name: its txn app ids start "<stage>/"
  std::string topic;
  int64_t max_records = 500'000;
  int64_t max_bytes = 256ll << 20;  // estimated memory of the decoded rows
  // A date column missing from a record is the UTC day of the time column, filled as
  // the sink's `derive: {date: date(time)}` is (lake/delta/derived_columns.h); "" or a
  // column the table lacks: no fill.
  std::string date_column, time_column;
};

// What one answer took from the tail.
struct TailReadout {
  int64_t records = 0;     // rows after the snapshot's boundary (all partitions)
  int32_t partitions = 0;  // partitions followed
  bool full = false;       // the cap stopped reading: newer records are missing
};

struct TailCounts {
  int64_t records = 0, bytes = 0;
  int32_t partitions = 0;
  bool full = false;
};

class TailRecords {
 public:
  explicit TailRecords(TailRecordsOptions options);

  const TailRecordsOptions& options() const { return options_; }
  std::string app_id(int32_t partition) const;

  // Writer. Follows `snapshot` (a newer one than before, or the same): drops the rows it
  // holds, and on other columns than before starts over from its txn versions. True when
  // positions() changed (the reader must seek).
  bool follow(const lake::delta::TableState& snapshot);
  // Writer. Starts the partitions of `ids` not followed yet at `snapshot`'s txn version + 1;
  // nothing before a table has been followed (its columns say how to decode). True when
  // any was added.
  bool add_partitions(const std::vector<int32_t>& ids, const lake::delta::TableState& snapshot);

  enum class Result {
    kKept,
    kSkipped,  // not a row of the table: `why` says what is wrong
    kIgnored,  // not followed, read already, or the tail is full
    kFull,     // the cap is reached now: not kept; counts().full until follow() frees room
  };
  struct Added {
    Result result;
    std::string why;
  };
  // Writer. Decodes the record at `offset` of `partition` as the sink does and keeps it.
  Added add(int32_t partition, int64_t offset, std::string_view json);

  // Where to read each partition from: its next offset (while counts().full, nowhere).
  std::map<int32_t, int64_t> positions() const;
  TailCounts counts() const;

  // Calls `visit` with each row held after `snapshot`'s txn version of its
  // partition (rows of `snapshot`'s schema). nullopt, without a call, when rows
  // it lacks were dropped already or they are decoded with another schema:
  // take a newer snapshot and ask again.
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

  void start_over(const lake::delta::TableState& snapshot);  // with the lock held
  lake::parquet::Row decode(std::string_view json) const;    // throws RowError

  TailRecordsOptions options_;
  mutable std::shared_mutex mu_;  // guards everything below; only the writer changes it
  std::string schema_string_;     // the schema rows are decoded with; "" before a table
  std::unique_ptr<lake::delta::PartitionLayout> layout_;
  std::optional<lake::delta::DerivedColumn>
      date_;  // the date column's fill, when the table has both
  std::map<int32_t, PartitionTail> partitions_;
  int64_t records_ = 0, bytes_ = 0;
  bool full_ = false;
};

}  // namespace sluice::serve
