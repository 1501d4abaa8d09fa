#include "stages/json_schema/json_schema_canonical.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include "common/json.h"

namespace sluice::stages::json_schema {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void append_number(std::string& out, double d) {
  if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.2e18) {
    out += std::to_string(static_cast<int64_t>(d));
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  out += buf;
}

void append(std::string& out, element v) {
  switch (v.type()) {
    case element_type::NULL_VALUE:
      out += "null";
      break;
    case element_type::BOOL:
      out += bool(v.get_bool()) ? "true" : "false";
      break;
    case element_type::INT64:
      out += std::to_string(int64_t(v.get_int64()));
      break;
    case element_type::UINT64:
      out += std::to_string(uint64_t(v.get_uint64()));
      break;
    case element_type::DOUBLE:
      append_number(out, double(v.get_double()));
      break;
    case element_type::STRING:
      json::append_quoted(out, std::string_view(v.get_string()));
      break;
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (element item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append(out, item);
      }
      out += ']';
      break;
    }
    case element_type::OBJECT: {
      std::vector<std::pair<std::string_view, element>> fields;
      for (auto field : v.get_object()) fields.emplace_back(field.key, field.value);
      std::stable_sort(fields.begin(), fields.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ',';
        json::append_quoted(out, fields[i].first);
        out += ':';
        append(out, fields[i].second);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

std::string canonical_json(element value) {
  std::string out;
  append(out, value);
  return out;
}

}  // namespace sluice::stages::json_schema
