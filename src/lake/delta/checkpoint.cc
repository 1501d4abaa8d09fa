#include "lake/delta/checkpoint.h"

#include <cstdint>
#include <map>

#include "lake/delta/delta_error.h"
#include "lake/parquet/file_reader.h"
#include "lake/parquet/file_writer.h"

namespace sluice::lake::delta {
namespace {

using parquet::Field;
using parquet::Row;
using parquet::Type;
using parquet::Value;
using parquet::ValueList;
using parquet::ValueMap;

Field str(const char* name) {
  return Field::leaf(name, Type::kString);
}
Field i64(const char* name) {
  return Field::leaf(name, Type::kInt64);
}
Field flag(const char* name) {
  return Field::leaf(name, Type::kBoolean);
}
Field string_map(const char* name) {
  return Field::map(name, Field::leaf("key", Type::kString, false), str("value"));
}

// The classic checkpoint schema (PROTOCOL.md "Checkpoint Schema"), column order fixed.
std::vector<Field> checkpoint_schema() {
  return {
      Field::structure("txn", {str("appId"), i64("version"), i64("lastUpdated")}),
      Field::structure("add", {str("path"), string_map("partitionValues"), i64("size"),
                               i64("modificationTime"), flag("dataChange"), str("stats")}),
      Field::structure("remove",
                       {str("path"), i64("deletionTimestamp"), flag("dataChange"),
                        flag("extendedFileMetadata"), string_map("partitionValues"), i64("size")}),
      Field::structure("metaData",
                       {str("id"), str("name"), str("description"),
                        Field::structure("format", {str("provider"), string_map("options")}),
                        str("schemaString"), Field::list("partitionColumns", str("element")),
                        string_map("configuration"), i64("createdTime")}),
      Field::structure("protocol", {Field::leaf("minReaderVersion", Type::kInt32),
                                    Field::leaf("minWriterVersion", Type::kInt32)}),
  };
}

Value to_value(const std::string& s) {
  return Value(s);
}
Value to_value(const std::optional<std::string>& s) {
  return s ? Value(*s) : Value();
}

template <typename V>
Value to_value(const std::map<std::string, V>& m) {
  ValueMap out;
  for (const auto& [k, v] : m) out.emplace_back(Value(k), to_value(v));
  return out;
}

// A map column's entries; a null value reads as nullopt.
PartitionValues optional_map_at(const ValueList& f, size_t i) {
  PartitionValues out;
  const auto* m = i < f.size() ? std::get_if<ValueMap>(&f[i].v) : nullptr;
  if (!m) return out;
  for (const auto& [k, val] : *m) {
    const auto* key = std::get_if<std::string>(&k.v);
    const auto* value = std::get_if<std::string>(&val.v);
    if (key) out[*key] = value ? std::optional<std::string>(*value) : std::nullopt;
  }
  return out;
}

std::map<std::string, std::string> map_at(const ValueList& f, size_t i) {
  std::map<std::string, std::string> out;
  for (auto& [k, v] : optional_map_at(f, i)) out[k] = v.value_or("");
  return out;
}

// One action in column `slot` (0 txn .. 4 protocol); every other column null.
Row row_with(size_t slot, ValueList fields) {
  Row row(5);
  row[slot] = Value(std::move(fields));
  return row;
}

const ValueList* fields_of(const Value& v) {
  return std::get_if<ValueList>(&v.v);
}

std::string s_at(const ValueList& f, size_t i) {
  const auto* s = i < f.size() ? std::get_if<std::string>(&f[i].v) : nullptr;
  return s ? *s : "";
}
int64_t n_at(const ValueList& f, size_t i) {
  if (i >= f.size()) return 0;
  if (const auto* n = std::get_if<int64_t>(&f[i].v)) return *n;
  if (const auto* n = std::get_if<int32_t>(&f[i].v)) return *n;
  return 0;
}
bool b_at(const ValueList& f, size_t i, bool fallback) {
  const auto* b = i < f.size() ? std::get_if<bool>(&f[i].v) : nullptr;
  return b ? *b : fallback;
}

// Where one action's fields are in a checkpoint being read. Columns and fields
// are found by name, as PROTOCOL.md names them: writers order them differently
// (delta-rs puts `add` first, `createdTime` before `configuration`) and add
// fields sluice does not read (deletionVector, baseRowId, ...).
struct ActionColumn {
  int slot = -1;                         // the action's column in a row; -1: none
  std::map<std::string, size_t> fields;  // field name -> its place in the struct

  const ValueList* in(const Row& row) const {
    return slot >= 0 && size_t(slot) < row.size() ? fields_of(row[size_t(slot)]) : nullptr;
  }
  // A missing field's place is past every struct's end: read as absent.
  size_t at(const char* name) const {
    const auto it = fields.find(name);
    return it == fields.end() ? SIZE_MAX : it->second;
  }
};

ActionColumn action_column(const std::vector<Field>& schema, const char* action) {
  ActionColumn column;
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name != action) continue;
    column.slot = int(i);
    for (size_t j = 0; j < schema[i].children.size(); ++j)
      column.fields[schema[i].children[j].name] = j;
  }
  return column;
}

}  // namespace

std::string write_checkpoint_file(const TableState& state) {
  parquet::FileWriter w(checkpoint_schema());
  const Protocol& p = state.protocol;
  w.add_row(row_with(4, {int32_t(p.min_reader_version), int32_t(p.min_writer_version)}));
  const Metadata& m = state.metadata;
  ValueList partition_columns;
  for (const auto& c : m.partition_columns) partition_columns.emplace_back(c);
  w.add_row(row_with(
      3, {m.id, m.name, Value(), ValueList{std::string("parquet"), ValueMap{}}, m.schema_string,
          std::move(partition_columns), to_value(m.configuration), m.created_time}));
  for (const auto& [app, t] : state.txns)
    w.add_row(row_with(0, {t.app_id, t.version, t.last_updated}));
  for (const auto& [path, a] : state.files) {
    w.add_row(row_with(1, {a.path, to_value(a.partition_values), a.size, a.modification_time,
                           a.data_change, a.stats.empty() ? Value() : Value(a.stats)}));
  }
  for (const auto& [path, r] : state.tombstones) {
    w.add_row(row_with(2, {r.path, r.deletion_timestamp, r.data_change, true,
                           to_value(r.partition_values), r.size}));
  }
  return w.finish();
}

TableState read_checkpoint_file(const std::string& bytes, int64_t version,
                                const std::string& where) {
  std::vector<Row> rows;
  std::vector<Field> schema;
  try {
    parquet::FileReader reader(bytes);
    schema = reader.schema();
    rows = reader.read_all();
  } catch (const std::exception& e) {
    throw DeltaError("checkpoint " + where + " cannot be read: " + e.what() +
                     "; delete _last_checkpoint to make readers replay the JSON log instead");
  }
  const ActionColumn txn = action_column(schema, "txn"), add = action_column(schema, "add"),
                     remove = action_column(schema, "remove"),
                     meta = action_column(schema, "metaData"),
                     protocol = action_column(schema, "protocol");
  if (add.slot < 0 || meta.slot < 0 || protocol.slot < 0)
    throw DeltaError("checkpoint " + where + " does not have the checkpoint schema");
  TableState s;
  s.version = version;
  for (const Row& row : rows) {
    if (const auto* t = txn.in(row))
      s.apply(Txn{s_at(*t, txn.at("appId")), n_at(*t, txn.at("version")),
                  n_at(*t, txn.at("lastUpdated"))});
    if (const auto* a = add.in(row)) {
      s.apply(AddFile{s_at(*a, add.at("path")), optional_map_at(*a, add.at("partitionValues")),
                      n_at(*a, add.at("size")), n_at(*a, add.at("modificationTime")),
                      b_at(*a, add.at("dataChange"), true), s_at(*a, add.at("stats"))});
    }
    if (const auto* r = remove.in(row)) {
      s.apply(RemoveFile{s_at(*r, remove.at("path")), n_at(*r, remove.at("deletionTimestamp")),
                         b_at(*r, remove.at("dataChange"), true),
                         optional_map_at(*r, remove.at("partitionValues")),
                         n_at(*r, remove.at("size"))});
    }
    if (const auto* m = meta.in(row)) {
      Metadata md{s_at(*m, meta.at("id")),
                  s_at(*m, meta.at("name")),
                  s_at(*m, meta.at("schemaString")),
                  {},
                  map_at(*m, meta.at("configuration")),
                  n_at(*m, meta.at("createdTime"))};
      const size_t cols_at = meta.at("partitionColumns");
      if (const auto* cols =
              cols_at < m->size() ? std::get_if<ValueList>(&(*m)[cols_at].v) : nullptr) {
        for (const auto& c : *cols) {
          if (const auto* name = std::get_if<std::string>(&c.v))
            md.partition_columns.push_back(*name);
        }
      }
      s.apply(md);
    }
    if (const auto* p = protocol.in(row)) {
      s.apply(Protocol{int(n_at(*p, protocol.at("minReaderVersion"))),
                       int(n_at(*p, protocol.at("minWriterVersion")))});
    }
  }
  return s;
}

}  // namespace sluice::lake::delta
