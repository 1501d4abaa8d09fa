// Decodes one column chunk into its level entries and non-null values.
//
// Invariant: on success defs and reps hold exactly num_values entries (zeros
// where the column has no such levels), every level within [0, max], and
// values holds one Value per entry whose definition level is max_def; any
// inconsistency in the pages throws ParquetError, and no read leaves `file`.
#pragma once

#include <cstdint>
#include <string>
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

// Where decode_column_chunk() puts a chunk's non-null values, page by page: the
// Values of ColumnData, or a TypedColumn's arrays (typed_column.h). Called once
// per page, never per value.
class PageValues {
 public:
  virtual ~PageValues() = default;
  // A dictionary page: `count` PLAIN values of `type` filling `page` (the
  // decompressed page, which the callee may take: it is not read again).
  virtual void dictionary(Type type, std::string& page, size_t count) = 0;
  virtual size_t dictionary_size() const = 0;
  // A PLAIN data page's `count` values, from `pos` in `page` (which the callee may take).
  virtual void plain(Type type, std::string& page, size_t pos, size_t count) = 0;
  // Dictionary-encoded values: `count` indices, each below dictionary_size().
  virtual void indices(const uint32_t* indices, size_t count) = 0;
};

// The decoding behind read_column_chunk: the levels into `defs` and `reps`
// (appended, num_values entries each), the values into `values`.
void decode_column_chunk(std::string_view file, const meta::ColumnChunk& chunk, const Leaf& leaf,
                         std::vector<uint8_t>& defs, std::vector<uint8_t>& reps,
                         PageValues& values);

}  // namespace sluice::lake::parquet
