// Row validation and Dremel record shredding (see shredder.h).
#include "lake/parquet/shredder.h"

namespace sluice::lake::parquet {
namespace {

// The Value alternative each leaf type takes.
size_t alternative(Type t) {
  switch (t) {
    case Type::kBoolean:
      return 1;
    case Type::kInt32:
    case Type::kDate:
      return 2;
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return 3;
    case Type::kFloat:
      return 4;
    case Type::kDouble:
      return 5;
    case Type::kString:
    case Type::kBinary:
      return 6;
  }
  return 0;
}

[[noreturn]] void mismatch(const Node& n, const std::string& what) {
  throw ParquetError("field '" + n.path + "': " + what);
}

}  // namespace

void Shredder::check(const Row& row) const {
  if (row.size() != schema_.top.size()) {
    throw ParquetError("row has " + std::to_string(row.size()) + " values but the schema has " +
                       std::to_string(schema_.top.size()) + " fields");
  }
  for (size_t i = 0; i < row.size(); ++i) check_value(schema_.top[i], row[i]);
}

void Shredder::check_leaf(const Node& n, const Value& v) const {
  if (v.v.index() != alternative(n.type)) mismatch(n, "value of the wrong type");
}

void Shredder::check_value(int node, const Value& v) const {
  const Node& n = schema_.nodes[size_t(node)];
  if (v.is_null()) {
    if (!n.optional) mismatch(n, "null in a required field");
    return;
  }
  switch (n.kind) {
    case Field::Kind::kLeaf:
      return check_leaf(n, v);
    case Field::Kind::kStruct: {
      const auto* fields = std::get_if<ValueList>(&v.v);
      if (!fields) mismatch(n, "a struct needs a list of its field values");
      if (fields->size() != n.children.size()) mismatch(n, "wrong number of struct field values");
      for (size_t i = 0; i < fields->size(); ++i) check_value(n.children[i], (*fields)[i]);
      return;
    }
    case Field::Kind::kList: {
      const auto* items = std::get_if<ValueList>(&v.v);
      if (!items) mismatch(n, "a list needs a ValueList");
      for (const auto& item : *items) check_value(n.children[0], item);
      return;
    }
    case Field::Kind::kMap: {
      const auto* pairs = std::get_if<ValueMap>(&v.v);
      if (!pairs) mismatch(n, "a map needs a ValueMap");
      for (const auto& [key, value] : *pairs) {
        check_value(n.children[0], key);
        check_value(n.children[1], value);
      }
      return;
    }
  }
}

void Shredder::shred(const Row& row) {
  for (size_t i = 0; i < row.size(); ++i) write(schema_.top[i], row[i], 0);
}

// A null (or an empty list/map) still takes one entry in every leaf below it;
// its definition level says how far down the path was defined.
void Shredder::write_empty(const Node& n, uint8_t def, uint8_t rep) {
  for (int l = n.first_leaf; l < n.end_leaf; ++l) columns_[size_t(l)].add_levels(def, rep);
}

void Shredder::write_leaf(const Node& n, const Value& v, uint8_t rep) {
  ColumnWriter& c = columns_[size_t(n.first_leaf)];
  c.add_levels(n.def, rep);
  switch (n.type) {
    case Type::kBoolean:
      return c.put_bool(std::get<bool>(v.v));
    case Type::kInt32:
    case Type::kDate:
      return c.put_i32(std::get<int32_t>(v.v));
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return c.put_i64(std::get<int64_t>(v.v));
    case Type::kFloat:
      return c.put_float(std::get<float>(v.v));
    case Type::kDouble:
      return c.put_double(std::get<double>(v.v));
    case Type::kString:
    case Type::kBinary:
      return c.put_bytes(std::get<std::string>(v.v));
  }
}

// Items of a list or map: the first continues the enclosing record (rep), the
// others repeat at this node's own repetition level.
template <typename Items, typename WriteItem>
void Shredder::write_repeated(const Node& n, const Items& items, uint8_t rep,
                              WriteItem&& write_item) {
  if (items.empty()) return write_empty(n, n.def, rep);
  for (size_t j = 0; j < items.size(); ++j) write_item(items[j], j == 0 ? rep : uint8_t(n.rep + 1));
}

void Shredder::write(int node, const Value& v, uint8_t rep) {
  const Node& n = schema_.nodes[size_t(node)];
  if (v.is_null()) return write_empty(n, uint8_t(n.def - 1), rep);  // only optional nodes get here
  switch (n.kind) {
    case Field::Kind::kLeaf:
      return write_leaf(n, v, rep);
    case Field::Kind::kStruct: {
      const auto& fields = std::get<ValueList>(v.v);
      for (size_t i = 0; i < fields.size(); ++i) write(n.children[i], fields[i], rep);
      return;
    }
    case Field::Kind::kList:
      return write_repeated(n, std::get<ValueList>(v.v), rep,
                            [&](const Value& item, uint8_t r) { write(n.children[0], item, r); });
    case Field::Kind::kMap:
      return write_repeated(n, std::get<ValueMap>(v.v), rep, [&](const auto& kv, uint8_t r) {
        write(n.children[0], kv.first, r);
        write(n.children[1], kv.second, r);
      });
  }
}

}  // namespace sluice::lake::parquet
