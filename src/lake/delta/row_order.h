// The order a table writer puts a data file's rows in: by `sort_by` columns,
// ascending, nulls first, ties in the order given (a stable sort). Why: a file
// sorted by the columns queries filter on (the ticks' exchange_timestamp,
// exchange_sequence_number) has narrow min/max statistics per row group and
// per file, so readers skip most of them. Within one file only: files are not
// merged into a global order (optimize sorts each file it writes).
#pragma once

#include <string>
#include <vector>

#include "lake/delta/table_schema.h"
#include "lake/parquet/file_writer.h"

namespace sluice::lake::delta {

using SortOrder =
    std::vector<std::string>;  // column names, most significant first; empty: as given

// The rows of `rows` (rows of `schema`) in `order`, as pointers into `rows`.
// Throws DeltaError naming a column of `order` that `schema` does not have.
std::vector<const parquet::Row*> rows_in_order(const TableSchema& schema,
                                               const std::vector<parquet::Row>& rows,
                                               const SortOrder& order);

// <0, 0, >0 as a sorts before, with or after b: null first, then by value
// (numbers by number, strings by bytes). Values of different kinds order by kind.
int compare_values(const parquet::Value& a, const parquet::Value& b);

}  // namespace sluice::lake::delta
