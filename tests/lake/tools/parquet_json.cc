// The JSON form of Parquet values (see parquet_json.h).
#include "parquet_json.h"

#include <cmath>
#include <cstdio>

#include "common/json.h"

namespace sluice::lake::parquet {
namespace {

std::string number(double d) {
  if (std::isnan(d)) return "\"NaN\"";
  if (std::isinf(d)) return d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  return buf;
}

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out = "\"hex:";
  for (unsigned char c : s) out += {digits[c >> 4], digits[c & 15]};
  return out + "\"";
}

std::string leaf_json(Type t, const Value& v) {
  switch (t) {
    case Type::kBoolean:
      return std::get<bool>(v.v) ? "true" : "false";
    case Type::kInt32:
    case Type::kDate:
      return "\"" + std::to_string(std::get<int32_t>(v.v)) + "\"";
    case Type::kInt64:
    case Type::kTimestampMicros:
    case Type::kDecimal:
      return "\"" + std::to_string(std::get<int64_t>(v.v)) + "\"";
    case Type::kFloat:
      return number(std::get<float>(v.v));
    case Type::kDouble:
      return number(std::get<double>(v.v));
    case Type::kString:
      return quote(std::get<std::string>(v.v));
    case Type::kBinary:
      return hex(std::get<std::string>(v.v));
  }
  return "null";
}

}  // namespace

std::string quote(const std::string& s) {
  return json::quote(s);
}

std::string json(const Field& f, const Value& v) {
  if (v.is_null()) return "null";
  std::string out;
  switch (f.kind) {
    case Field::Kind::kLeaf:
      return leaf_json(f.type, v);
    case Field::Kind::kStruct: {
      const auto& fields = std::get<ValueList>(v.v);
      for (size_t i = 0; i < fields.size(); ++i)
        out += (i ? "," : "") + quote(f.children[i].name) + ":" + json(f.children[i], fields[i]);
      return "{" + out + "}";
    }
    case Field::Kind::kList: {
      const auto& items = std::get<ValueList>(v.v);
      for (size_t i = 0; i < items.size(); ++i)
        out += (i ? "," : "") + json(f.children[0], items[i]);
      return "[" + out + "]";
    }
    case Field::Kind::kMap: {
      const auto& pairs = std::get<ValueMap>(v.v);
      for (size_t i = 0; i < pairs.size(); ++i) {
        out += std::string(i ? "," : "") + "[" + json(f.children[0], pairs[i].first) + "," +
               json(f.children[1], pairs[i].second) + "]";
      }
      return "[" + out + "]";
    }
  }
  return "null";
}

}  // namespace sluice::lake::parquet
