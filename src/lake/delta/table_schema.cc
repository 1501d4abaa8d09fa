#include "lake/delta/table_schema.h"

#include <simdjson.h>

#include <cstdio>
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
      {"decimal", Type::kDecimal},  // with (precision,scale): parse_column_type
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

std::string delta_type_name(const TableColumn& c) {
  if (c.type != Type::kDecimal) return delta_type_name(c.type);
  return "decimal(" + std::to_string(c.precision) + "," + std::to_string(c.scale) + ")";
}

void parse_column_type(const std::string& name, TableColumn& column) {
  int precision = 0, scale = 0, used = 0;
  if (std::sscanf(name.c_str(), "decimal(%d,%d)%n", &precision, &scale, &used) == 2 &&
      size_t(used) == name.size()) {
    if (precision < 1 || precision > 18 || scale < 0 || scale > precision)
      throw DeltaError("column type '" + name +
                       "': sluice writes decimals of precision 1 to 18 (on Parquet INT64) with "
                       "0 <= scale <= precision");
    column.type = Type::kDecimal;
    column.precision = precision;
    column.scale = scale;
    return;
  }
  for (const auto& [n, t] : names()) {
    if (n == name && t != Type::kDecimal) {
      column.type = t;
      return;
    }
  }
  throw DeltaError("unknown column type '" + name +
                   "'; use one of boolean, integer, long, float, double, string, binary, "
                   "timestamp, date, decimal(PRECISION,SCALE)");
}

std::string to_schema_string(const TableSchema& schema) {
  json::JsonWriter w;
  w.begin_object().field("type", "struct").key("fields").begin_array();
  for (const auto& c : schema) {
    w.begin_object()
        .field("name", c.name)
        .field("type", delta_type_name(c))
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
    TableColumn column{std::string(name), Type::kString, nullable};
    parse_column_type(std::string(type), column);
    out.push_back(std::move(column));
  }
  return out;
}

std::vector<parquet::Field> to_parquet_fields(const TableSchema& schema) {
  std::vector<parquet::Field> out;
  for (const auto& c : schema) {
    out.push_back(c.type == parquet::Type::kDecimal
                      ? parquet::Field::decimal(c.name, c.precision, c.scale, c.nullable)
                      : parquet::Field::leaf(c.name, c.type, c.nullable));
  }
  return out;
}

}  // namespace sluice::lake::delta
