#include "lake/delta/checkpoint.h"

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
  try {
    rows = parquet::FileReader(bytes).read_all();
  } catch (const std::exception& e) {
    throw DeltaError("checkpoint " + where + " cannot be read: " + e.what() +
                     "; delete _last_checkpoint to make readers replay the JSON log instead");
  }
  TableState s;
  s.version = version;
  for (const Row& row : rows) {
    if (row.size() < 5)
      throw DeltaError("checkpoint " + where + " does not have the checkpoint schema");
    if (const auto* t = fields_of(row[0])) s.apply(Txn{s_at(*t, 0), n_at(*t, 1), n_at(*t, 2)});
    if (const auto* a = fields_of(row[1])) {
      s.apply(AddFile{s_at(*a, 0), optional_map_at(*a, 1), n_at(*a, 2), n_at(*a, 3),
                      b_at(*a, 4, true), s_at(*a, 5)});
    }
    if (const auto* r = fields_of(row[2])) {
      s.apply(RemoveFile{s_at(*r, 0), n_at(*r, 1), b_at(*r, 2, true), optional_map_at(*r, 4),
                         n_at(*r, 5)});
    }
    if (const auto* m = fields_of(row[3])) {
      Metadata md{s_at(*m, 0), s_at(*m, 1), s_at(*m, 4), {}, map_at(*m, 6), n_at(*m, 7)};
      if (const auto* cols = m->size() > 5 ? std::get_if<ValueList>(&(*m)[5].v) : nullptr) {
        for (const auto& c : *cols) {
          if (const auto* name = std::get_if<std::string>(&c.v))
            md.partition_columns.push_back(*name);
        }
      }
      s.apply(md);
    }
    if (const auto* p = fields_of(row[4])) s.apply(Protocol{int(n_at(*p, 0)), int(n_at(*p, 1))});
  }
  return s;
}

}  // namespace sluice::lake::delta
