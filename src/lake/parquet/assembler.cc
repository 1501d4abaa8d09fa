// Dremel record assembly (see assembler.h).
#include "lake/parquet/assembler.h"

namespace sluice::lake::parquet {
namespace {

[[noreturn]] void malformed(const Node& n, const char* what) {
  throw ParquetError("column data under '" + n.path + "': " + what);
}

}  // namespace

Assembler::Assembler(const Schema& schema, std::vector<ColumnData>& columns)
    : schema_(schema), columns_(columns), cursors_(columns.size()) {
  if (columns.size() != schema.leaves.size())
    throw ParquetError("row group has the wrong number of columns");
}

uint8_t Assembler::peek_def(int leaf) const {
  const size_t at = cursors_[size_t(leaf)].entry;
  const ColumnData& c = columns_[size_t(leaf)];
  if (at >= c.defs.size())
    throw ParquetError("column '" + schema_.leaves[size_t(leaf)].path + "' ends early");
  return c.defs[at];
}

bool Assembler::continues(const Node& n) const {
  const size_t at = cursors_[size_t(n.first_leaf)].entry;
  const ColumnData& c = columns_[size_t(n.first_leaf)];
  return at < c.reps.size() && c.reps[at] == n.rep + 1;
}

void Assembler::skip(const Node& n) {
  for (int l = n.first_leaf; l < n.end_leaf; ++l) {
    const uint8_t def = peek_def(l);
    Cursor& cur = cursors_[size_t(l)];
    ++cur.entry;
    if (def == schema_.leaves[size_t(l)].max_def) ++cur.value;  // only in malformed files
  }
}

Value Assembler::read_leaf(const Node& n, uint8_t def) {
  if (def != n.def) malformed(n, "required value missing");
  Cursor& cur = cursors_[size_t(n.first_leaf)];
  std::vector<Value>& values = columns_[size_t(n.first_leaf)].values;
  if (cur.value >= values.size()) malformed(n, "fewer values than levels");
  ++cur.entry;
  return std::move(values[cur.value++]);
}

Value Assembler::read_list(const Node& n) {
  ValueList items;
  if (peek_def(n.first_leaf) <= n.def) {
    skip(n);  // defined but empty
    return items;
  }
  do {
    items.push_back(read(n.children[0]));
  } while (continues(n));
  return items;
}

Value Assembler::read_map(const Node& n) {
  ValueMap pairs;
  if (peek_def(n.first_leaf) <= n.def) {
    skip(n);
    return pairs;
  }
  do {
    Value key = read(n.children[0]);
    pairs.emplace_back(std::move(key), read(n.children[1]));
  } while (continues(n));
  return pairs;
}

Value Assembler::read(int node) {
  const Node& n = schema_.nodes[size_t(node)];
  const uint8_t def = peek_def(n.first_leaf);
  if (n.optional && def < n.def) {
    skip(n);
    return Value();
  }
  switch (n.kind) {
    case Field::Kind::kLeaf:
      return read_leaf(n, def);
    case Field::Kind::kStruct: {
      ValueList fields;
      for (int child : n.children) fields.push_back(read(child));
      return fields;
    }
    case Field::Kind::kList:
      return read_list(n);
    case Field::Kind::kMap:
      return read_map(n);
  }
  malformed(n, "unknown kind");
}

void Assembler::read_rows(int64_t rows, std::vector<Row>& out) {
  for (int64_t r = 0; r < rows; ++r) {
    Row row;
    row.reserve(schema_.top.size());
    for (int top : schema_.top) {
      const Node& n = schema_.nodes[size_t(top)];
      const size_t at = cursors_[size_t(n.first_leaf)].entry;
      const auto& reps = columns_[size_t(n.first_leaf)].reps;
      if (at < reps.size() && reps[at] != 0)
        malformed(n, "record does not start at repetition level 0");
      row.push_back(read(top));
    }
    out.push_back(std::move(row));
  }
  for (size_t l = 0; l < cursors_.size(); ++l) {
    if (cursors_[l].entry != columns_[l].defs.size() ||
        cursors_[l].value != columns_[l].values.size()) {
      throw ParquetError("column '" + schema_.leaves[l].path +
                         "' has entries beyond the row group's rows");
    }
  }
}

}  // namespace sluice::lake::parquet
