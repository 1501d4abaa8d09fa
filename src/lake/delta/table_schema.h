// A table's columns, in the three forms they take: sluice's config
// ("name: string"), Delta's schemaString (a JSON struct type, PROTOCOL.md
// "Schema Serialization Format") and the Parquet schema of the data files.
//
// Invariant: a column's Delta type and Parquet type always correspond one to
// one, so a file written for the schema is readable as the table by any engine.
#pragma once

#include <string>
#include <vector>

#include "lake/parquet/file_writer.h"

namespace sluice::lake::delta {

struct TableColumn {
  std::string name;
  parquet::Type type = parquet::Type::kString;
  bool nullable = true;
  int precision = 0, scale = 0;  // decimal columns
};

using TableSchema = std::vector<TableColumn>;

// "boolean", "integer", "long", "float", "double", "string", "binary", "timestamp", "date",
// "decimal".
std::string delta_type_name(parquet::Type type);
// The column's full Delta type: the above, or "decimal(12,4)".
std::string delta_type_name(const TableColumn& column);
// Accepts the Delta names and the aliases an operator writes in config
// ("int", "int32", "int64", "bool", "bytes"), and "decimal(P,S)" (P ≤ 18); throws
// DeltaError listing the valid names. Sets the column's type, precision and scale.
void parse_column_type(const std::string& name, TableColumn& column);

std::string to_schema_string(const TableSchema& schema);
// Throws DeltaError for nested or unknown types: sluice tables are flat.
TableSchema parse_schema_string(const std::string& schema_string);
std::vector<parquet::Field> to_parquet_fields(const TableSchema& schema);

}  // namespace sluice::lake::delta
