#include "lake/delta/table_schema.h"

#include <simdjson.h>

#include <utility>

#include "common/json.h"
#include "lake/delta/delta_error.h"

namespace sluice::lake::delta {
namespace {

using parquet::Type;

const std::vector<std::pair<std::string, Type>>& names() {
  static const std::vector<std::pair<std::string, Type>> table = {
      {"boolean", Type::kBoolean},
      {"integer", Type::kInt32},
      {"long", Type::kInt64},
      {"float", Type::kFloat},
      {"double", Type::kDouble},
      {"string", Type::kString},
      {"binary", Type::kBinary},
      {"timestamp", Type::kTimestampMicros},
      {"date", Type::kDate},
      // aliases accepted from config, never written
      {"bool", Type::kBoolean},
      {"int", Type::kInt32},
      {"int32", Type::kInt32},
      {"int64", Type::kInt64},
      {"bigint", Type::kInt64},
      {"bytes", Type::kBinary}};
  return table;
}

}  // namespace

std::string delta_type_name(Type type) {
  for (const auto& [name, t] : names()) {
    if (t == type) return name;  // the first entry for a type is its Delta name
  }
  return "string";
}

Type parse_type_name(const std::string& name) {
  for (const auto& [n, t] : names()) {
    if (n == name) return t;
  }
  throw DeltaError(
      "unknown column type '" + name +
      "'; use one of boolean, integer, long, float, double, string, binary, timestamp, date");
}

std::string to_schema_string(const TableSchema& schema) {
  json::JsonWriter w;
  w.begin_object().field("type", "struct").key("fields").begin_array();
  for (const auto& c : schema) {
    w.begin_object()
        .field("name", c.name)
        .field("type", delta_type_name(c.type))
        .field("nullable", c.nullable);
    w.key("metadata").begin_object().end_object().end_object();
  }
  w.end_array().end_object();
  return w.str();
}

TableSchema parse_schema_string(const std::string& schema_string) {
  simdjson::dom::parser parser;
  simdjson::dom::array fields;
  if (parser.parse(simdjson::padded_string(schema_string))["fields"].get(fields) !=
      simdjson::SUCCESS) {
    throw DeltaError("the table's schemaString is not a Delta struct type: " +
                     schema_string.substr(0, 200));
  }
  TableSchema out;
  for (auto f : fields) {
    std::string_view name, type;
    bool nullable = true;
    if (f["name"].get(name) != simdjson::SUCCESS || f["type"].get(type) != simdjson::SUCCESS) {
      throw DeltaError(
          "column in schemaString has no name or a nested type; sluice tables are flat: " +
          schema_string.substr(0, 200));
    }
    if (f["nullable"].get(nullable) != simdjson::SUCCESS)
      nullable = true;  // absent: Delta's default
    out.push_back({std::string(name), parse_type_name(std::string(type)), nullable});
  }
  return out;
}

std::vector<parquet::Field> to_parquet_fields(const TableSchema& schema) {
  std::vector<parquet::Field> out;
  for (const auto& c : schema) out.push_back(parquet::Field::leaf(c.name, c.type, c.nullable));
  return out;
}

}  // namespace sluice::lake::delta
