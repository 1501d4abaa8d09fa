// One flat column of a row group decoded into typed arrays instead of a Value
// per cell, for readers that filter or aggregate on a column before building
// rows (src/serve): integers (booleans, INT32, dates, INT64, timestamps,
// unscaled decimals) as int64_t, FLOAT and DOUBLE as double, strings and
// binary as codes into a pool of views into the decoded pages. A dictionary
// page's entries enter the pool once, so testing a dictionary-encoded column
// for equality with a constant compares each entry once and then each row's
// code by a table look-up: no string is built per row.
//
// Invariant: value(r) is exactly the Value FileReader::read_column gives for
// row r (the same alternative: int32_t for INT32 and dates, float for FLOAT,
// std::string for strings and binary, null for a null); the column owns the
// bytes its views point into; decoding keeps column_reader.h's invariant
// (ParquetError on any inconsistency, no read outside the file).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet {

struct Leaf;
namespace meta {
struct ColumnChunk;
}

class TypedColumn {
 public:
  // Decodes the chunk of flat (not repeated) column `leaf` in a row group of
  // `rows` rows; `file` is the file without its footer. Throws ParquetError
  // when the chunk is malformed or does not hold one entry per row.
  static TypedColumn read(std::string_view file, const meta::ColumnChunk& chunk, const Leaf& leaf,
                          int64_t rows);

  Type type() const { return type_; }
  size_t rows() const { return rows_; }
  bool is_null(size_t row) const { return slot(row) == kNull; }
  Value value(size_t row) const;

  // The rows among `candidates` (ascending; nullptr: every row), in order, whose
  // value is the string or binary `want`. None when the column holds neither.
  std::vector<uint32_t> rows_equal(std::string_view want,
                                   const std::vector<uint32_t>* candidates) const;
  // The rows among `candidates` whose INT64, timestamp or (unscaled) decimal
  // value lies in [lo, hi). None for a column of another type (as read_column's
  // values would hold no int64_t).
  std::vector<uint32_t> rows_in_range(int64_t lo, int64_t hi,
                                      const std::vector<uint32_t>* candidates) const;

 private:
  class Sink;  // fills the arrays page by page (typed_column.cc)
  static constexpr uint32_t kNull = UINT32_MAX;

  TypedColumn() = default;
  // Index of row `row`'s value in the value arrays, or kNull.
  uint32_t slot(size_t row) const { return slots_.empty() ? uint32_t(row) : slots_[row]; }
  template <typename Keep>
  std::vector<uint32_t> select(const std::vector<uint32_t>* candidates, Keep&& keep) const;

  Type type_ = Type::kInt64;
  size_t rows_ = 0;
  std::vector<uint32_t> slots_;  // per row; empty when every row holds a value (row r is value r)
  // The non-null values in row order; only the array of the type's kind is filled.
  std::vector<int64_t> ints_;
  std::vector<double> reals_;
  std::vector<uint32_t> codes_;         // strings: an index into pool_ per value
  std::vector<std::string_view> pool_;  // dictionary entries, then PLAIN values, as they came
  // The decoded pages pool_ points into; each behind a pointer, so that neither
  // growing this vector nor moving the column moves the bytes (short strings
  // would move with their std::string).
  std::vector<std::unique_ptr<const std::string>> pages_;
};

}  // namespace sluice::lake::parquet
