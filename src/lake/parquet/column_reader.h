// Decodes one column chunk into its level entries and non-null values.
//
// Invariant: on success defs and reps hold exactly num_values entries (zeros
// where the column has no such levels), every level within [0, max], and
// values holds one Value per entry whose definition level is max_def; any
// inconsistency in the pages throws ParquetError, and no read leaves `file`.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "lake/parquet/metadata.h"
#include "lake/parquet/schema.h"

namespace sluice::lake::parquet {

struct ColumnData {
  std::vector<uint8_t> defs, reps;
  std::vector<Value> values;
};

// `file` is the file without its footer; chunk offsets are relative to its start.
ColumnData read_column_chunk(std::string_view file, const meta::ColumnChunk& chunk,
                             const Leaf& leaf);

}  // namespace sluice::lake::parquet
