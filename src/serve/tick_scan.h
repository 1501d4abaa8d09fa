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
//     columns are decoded first, as typed arrays (lake/parquet/typed_column.h:
//     no Value per cell), and a Value is built only for the cells of matching
//     rows — and only of the columns the query asks for (TickQuery::columns),
//     and with TickQuery::limit only for the first `limit` matches in tick
//     order (their keys are found first); scan_points() builds none, only the
//     numbers a summary needs.
// Files once fetched are kept parsed in a FileCache (file_cache.h) when given,
// and files (then row groups) are read on kScanThreads threads.
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
#include "serve/file_cache.h"

namespace sluice::serve {

// Threads one scan reads files and row groups on (the calling one included): two,
// as DuckDB in bench/serve; a file's decoding is independent of another's.
inline constexpr size_t kScanThreads = 2;

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
  // Only the first `limit` matches in tick order (time, sequence, order read) are
  // wanted: scan() builds rows for those alone. nullopt: every match.
  std::optional<size_t> limit;
};

// What a scan touched, reported with every answer so pruning is visible.
// files_read counts every file read, files_cached those of them found in the
// FileCache (not fetched); bytes_fetched is what came from the store.
struct ScanStats {
  int64_t files_live = 0, files_pruned_by_partition = 0, files_pruned_by_stats = 0, files_read = 0,
          files_cached = 0, row_groups_read = 0, row_groups_skipped = 0, bytes_fetched = 0;
};

struct ScanResult {
  // Rows of the table schema matching the query, in the order read (with a
  // limit, only the first `limit` in tick order, still in the order read).
  std::vector<lake::parquet::Row> rows;
  int64_t matched = 0;  // every match, also those a limit left out
  ScanStats stats;
};

// A matching tick reduced to what a summary needs. Null cells: sequence
// INT64_MIN, price or volume NaN.
struct TickPoint {
  int64_t time, sequence;
  double price, volume;
};

struct PointScan {
  std::vector<TickPoint> points;  // in the order scan() gives the rows
  ScanStats stats;
};

// A price or volume cell as a number (decimals scaled); NaN for null or a
// non-numeric cell.
double cell_number(const lake::parquet::Value& v, const lake::delta::TableColumn& column);

class TickScan {
 public:
  // Throws std::runtime_error naming the column and the option to set when a
  // column of `columns` (all but `date`) is not in the table's schema.
  // `cache`, if not null, must outlive the scan: files are looked up there first
  // and kept there once read.
  TickScan(const lake::delta::TableState& state, TickColumns columns, FileCache* cache = nullptr);

  const lake::delta::PartitionLayout& layout() const { return layout_; }
  size_t column_index(const std::string& name) const;  // in the table schema
  ScanResult scan(const lake::delta::DeltaLog& log, const TickQuery& query) const;
  // The same matches as scan(), as TickPoints (time, sequence, price, volume):
  // without building rows where the file holds those columns and the symbol flat.
  PointScan scan_points(const lake::delta::DeltaLog& log, const TickQuery& query) const;
  // A row of the table schema as a TickPoint (its time must be set).
  TickPoint point_of(const lake::parquet::Row& row) const;

 private:
  bool partition_excludes(const lake::delta::AddFile& file, const TickQuery& q) const;
  bool stats_exclude(const lake::delta::AddFile& file, const TickQuery& q) const;
  ScanResult scan_first(const lake::delta::DeltaLog& log, const TickQuery& q, size_t limit) const;
  // The three pruning steps, then read(file, reader, groups) for each file with
  // row groups that may hold matches (ascending), on up to kScanThreads threads
  // (`read` must be safe to call concurrently); its results in the snapshot's order.
  template <typename Out, typename ReadFile>
  std::vector<Out> read_files(const lake::delta::DeltaLog& log, const TickQuery& q,
                              ScanStats& stats, ReadFile&& read) const;
  std::shared_ptr<const lake::parquet::FileReader> open(const lake::delta::DeltaLog& log,
                                                        const lake::delta::AddFile& file,
                                                        ScanStats& stats) const;
  // The rows of row group `group` that match the filter columns the file holds,
  // decoded as typed arrays into `columns` (by file field); nullopt when a filter
  // column is not flat or the file holds none (then rows must be decoded whole).
  std::optional<std::vector<uint32_t>> select(
      const lake::parquet::FileReader& reader, int64_t group, const TickQuery& q,
      std::vector<std::optional<lake::parquet::TypedColumn>>& columns) const;
  // Appends the rows of row group `group` that may match `q` (in the file's schema).
  void read_matching(const lake::parquet::FileReader& reader, int64_t group, const TickQuery& q,
                     std::vector<lake::parquet::Row>& out) const;
  // Appends the rows `rows` of row group `group` (in the file's schema, with the
  // columns q wants), decoding the columns `columns` lacks; false when one of
  // those is not flat (nothing appended).
  bool materialize(const lake::parquet::FileReader& reader, int64_t group, const TickQuery& q,
                   const std::vector<uint32_t>& rows,
                   std::vector<std::optional<lake::parquet::TypedColumn>>& columns,
                   std::vector<lake::parquet::Row>& out) const;
  bool keys_readable(const std::vector<lake::parquet::Field>& file_fields,
                     const TickQuery& q) const;
  // Appends the TickPoints of row group `group`'s matches; needs points_readable().
  void read_points(const lake::parquet::FileReader& reader, int64_t group, const TickQuery& q,
                   std::vector<TickPoint>& out) const;
  bool points_readable(const std::vector<lake::parquet::Field>& file_fields,
                       const TickQuery& q) const;
  // The rows of row groups `groups` of `file` that match `q`, as rows of the
  // table (partition columns filled in), appended to `out` in the order read.
  void append_matching(const lake::delta::AddFile& file, const lake::parquet::FileReader& reader,
                       const std::vector<int64_t>& groups, const TickQuery& q,
                       std::vector<lake::parquet::Row>& out) const;

  const lake::delta::TableState& state_;
  TickColumns columns_;
  FileCache* cache_;
  lake::delta::PartitionLayout layout_;
  size_t symbol_, exchange_, time_, sequence_, price_, volume_;  // in the table schema
  bool date_partitioned_ = false;
};

}  // namespace sluice::serve
