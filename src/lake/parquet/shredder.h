// Turns rows of Values into per-leaf (definition level, repetition level, value)
// entries, the record shredding of the Dremel paper that Parquet uses.
//
// Invariants: check() accepts exactly the rows shred() can write, so a row
// that fails check() leaves every column untouched; shred() writes, for every
// row, at least one entry to every leaf, the first with repetition level 0.
#pragma once

#include <vector>

#include "lake/parquet/column_writer.h"
#include "lake/parquet/schema.h"

namespace sluice::lake::parquet {

class Shredder {
 public:
  Shredder(const Schema& schema, std::vector<ColumnWriter>& columns)
      : schema_(schema), columns_(columns) {}

  // Throws ParquetError naming the field when the row does not fit the schema.
  void check(const Row& row) const;
  void shred(const Row& row);

 private:
  void check_value(int node, const Value& v) const;
  void check_leaf(const Node& n, const Value& v) const;
  void write(int node, const Value& v, uint8_t rep);
  void write_empty(const Node& n, uint8_t def, uint8_t rep);
  void write_leaf(const Node& n, const Value& v, uint8_t rep);
  template <typename Items, typename WriteItem>
  void write_repeated(const Node& n, const Items& items, uint8_t rep, WriteItem&& write_item);

  const Schema& schema_;
  std::vector<ColumnWriter>& columns_;
};

}  // namespace sluice::lake::parquet
