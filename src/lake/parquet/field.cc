// Field constructors. Lists and maps name their children the way parquet-format
// LogicalTypes.md does ("element", "key", "value"), so a schema read back from
// a file compares equal to the one it was written with.
#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet {

Field Field::leaf(std::string name, Type type, bool optional) {
  Field f;
  f.name = std::move(name);
  f.kind = Kind::kLeaf;
  f.type = type;
  f.optional = optional;
  return f;
}

Field Field::decimal(std::string name, int precision, int scale, bool optional) {
  // INT64 holds 18 digits; Delta's decimals go to 38, on FIXED_LEN_BYTE_ARRAY, which sluice does
  // not write.
  if (precision < 1 || precision > 18 || scale < 0 || scale > precision)
    throw ParquetError(
        "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ") for '" + name +
        "': sluice writes decimals of precision 1 to 18 with 0 <= scale <= precision");
  Field f = leaf(std::move(name), Type::kDecimal, optional);
  f.precision = precision;
  f.scale = scale;
  return f;
}

Field Field::structure(std::string name, std::vector<Field> fields, bool optional) {
  Field f;
  f.name = std::move(name);
  f.kind = Kind::kStruct;
  f.optional = optional;
  f.children = std::move(fields);
  return f;
}

Field Field::list(std::string name, Field element, bool optional) {
  Field f;
  f.name = std::move(name);
  f.kind = Kind::kList;
  f.optional = optional;
  element.name = "element";
  f.children.push_back(std::move(element));
  return f;
}

// Map keys are always required (LogicalTypes.md), whatever `key.optional` says.
Field Field::map(std::string name, Field key, Field value, bool optional) {
  Field f;
  f.name = std::move(name);
  f.kind = Kind::kMap;
  f.optional = optional;
  key.name = "key";
  key.optional = false;
  value.name = "value";
  f.children.push_back(std::move(key));
  f.children.push_back(std::move(value));
  return f;
}

}  // namespace sluice::lake::parquet
