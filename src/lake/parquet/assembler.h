// Record assembly (the inverse of Shredder): rebuilds rows of Values from the
// level entries of every leaf column of one row group.
//
// Invariants: every read consumes at least one entry of each leaf below the
// node read, so assembly always terminates; every access is bounds-checked and
// inconsistent levels throw ParquetError.
#pragma once

#include <vector>

#include "lake/parquet/column_reader.h"
#include "lake/parquet/schema.h"

namespace sluice::lake::parquet {

class Assembler {
 public:
  Assembler(const Schema& schema, std::vector<ColumnData>& columns);
  // Appends `rows` rows to `out`; then throws if any column has entries left.
  void read_rows(int64_t rows, std::vector<Row>& out);

 private:
  struct Cursor {
    size_t entry = 0, value = 0;
  };
  Value read(int node);
  Value read_leaf(const Node& n, uint8_t def);
  Value read_list(const Node& n);
  Value read_map(const Node& n);
  uint8_t peek_def(int leaf) const;
  bool continues(const Node& n) const;  // the next entry is another item of list/map n
  void skip(const Node& n);             // one entry of each leaf below n (a null or empty value)

  const Schema& schema_;
  std::vector<ColumnData>& columns_;
  std::vector<Cursor> cursors_;
};

}  // namespace sluice::lake::parquet
