// Table columns computed from another column of the same row instead of read
// from the event: `derive: {year: year(window_start), hour: hour(window_start)}`.
// Their reason to exist is time partitioning — a table partitioned by
// year/month/day/hour of its event time, as Spark and Hive lay lakes out —
// without asking every producer to write those fields into its events.
//
// Invariant: a derived column's value is a pure function of its source
// column's value in the same row (UTC calendar fields of a timestamp or date),
// so a row written again after a restart lands in the same partition (and
// `sluice serve` fills a record from Kafka as the sink will). A JSON field with
// a derived column's name is ignored; a null source gives null.
#pragma once

#include <string>
#include <vector>

#include "lake/delta/table_schema.h"
#include "lake/parquet/file_writer.h"

namespace sluice::lake::delta {

enum class TimePart { kYear, kMonth, kDay, kHour, kDate };

struct DerivedColumn {
  size_t column = 0;  // index in the table's columns
  size_t source = 0;  // index of the timestamp or date column it is computed from
  TimePart part = TimePart::kYear;
};

// Reads `name: fn(source)` (fn: year, month, day, hour, date). Returns "" or what
// is wrong: an unknown function, a column not in `columns`, a source that is not a
// timestamp or date, a target type that cannot hold the value (year..hour need
// integer or long, date needs date).
std::string read_derived_column(const TableSchema& columns, const std::string& name,
                                const std::string& expression, DerivedColumn& out);

// Fills every derived column of `row` from its source (already converted).
void fill_derived_columns(parquet::Row& row, const std::vector<DerivedColumn>& derived,
                          const TableSchema& columns);

}  // namespace sluice::lake::delta
