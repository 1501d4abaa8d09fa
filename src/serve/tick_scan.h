// Reading the ticks of one symbol (and optionally one exchange) in a time range
// from the current snapshot of a Delta table, touching as little as possible:
//  1. partition pruning: a file whose add.partitionValues name another symbol
//     or exchange, or (the `date` partition column) a day outside the range,
//     is never fetched;
//  2. file statistics: a file whose Delta stats (minValues/maxValues of the
//     symbol, exchange and time columns) exclude the query is never fetched;
//  3. row-group statistics: in a fetched file, a row group whose Parquet
//     min/max of those columns excludes the query is never decoded;
//  4. late materialization: in a row group read, the symbol, exchange and time
//     columns are decoded first, and the other columns only when a row
//     matches — and only the columns the query asks for (TickQuery::columns).
//
// Invariant: pruning only ever drops data that cannot match — a missing or
// unreadable bound counts as "could hold anything" — and every row returned is
// checked against the query itself, so the answer equals a full scan's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lake/delta/delta_log.h"
#include "lake/delta/partitions.h"
#include "lake/delta/table_state.h"
#include "lake/parquet/file_reader.h"

namespace sluice::serve {

// Column names of the ticks table; the defaults are the seed's MarketTick
// fields (docs/query-api.md) plus a `date` partition column.
struct TickColumns {
  std::string symbol = "symbol";
  std::string exchange = "exchange";
  std::string time = "exchange_timestamp";  // timestamp (µs)
  std::string sequence = "exchange_sequence_number";
  std::string price = "price";
  std::string volume = "volume";
  std::string date = "date";  // partition column holding the UTC day; pruned only if present
};

struct TickQuery {
  std::optional<std::string> symbol;  // nullopt: every symbol (the symbols list)
  std::optional<std::string> exchange;
  int64_t from_us = INT64_MIN, to_us = INT64_MAX;  // [from, to)
  // The columns the answer needs (the filter columns are always read); nullopt:
  // every column. The others come back null.
  std::optional<std::vector<std::string>> columns;
};

// What a scan touched, reported with every answer so pruning is visible.
struct ScanStats {
  int64_t files_live = 0, files_pruned_by_partition = 0, files_pruned_by_stats = 0, files_read = 0,
          row_groups_read = 0, row_groups_skipped = 0, bytes_fetched = 0;
};

struct ScanResult {
  std::vector<lake::parquet::Row> rows;  // rows of the table schema matching the query
  ScanStats stats;
};

class TickScan {
 public:
  // Throws std::runtime_error naming the column and the option to set when a
  // column of `columns` (all but `date`) is not in the table's schema.
  TickScan(const lake::delta::TableState& state, TickColumns columns);

  const lake::delta::PartitionLayout& layout() const { return layout_; }
  size_t column_index(const std::string& name) const;  // in the table schema
  ScanResult scan(const lake::delta::DeltaLog& log, const TickQuery& query) const;

 private:
  bool partition_excludes(const lake::delta::AddFile& file, const TickQuery& q) const;
  bool stats_exclude(const lake::delta::AddFile& file, const TickQuery& q) const;
  // Appends the rows of row group `group` that may match `q` (in the file's schema).
  void read_matching(const lake::parquet::FileReader& reader, int64_t group, const TickQuery& q,
                     std::vector<lake::parquet::Row>& out) const;

  const lake::delta::TableState& state_;
  TickColumns columns_;
  lake::delta::PartitionLayout layout_;
  bool date_partitioned_ = false;
};

}  // namespace sluice::serve
