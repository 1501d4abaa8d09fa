// Helpers shared by the parquet_*_test.cc files: printing Values (so a failed
// comparison shows both sides) and writing then reading a file.
#pragma once

#include <string>
#include <vector>

#include "lake/parquet/file_reader.h"
#include "lake/parquet/file_writer.h"

namespace sluice::lake::parquet::testing {

inline std::string show(const Value& v);

inline std::string show_list(const ValueList& items) {
  std::string s = "[";
  for (const auto& i : items) s += show(i) + ",";
  return s + "]";
}

inline std::string show(const Value& v) {
  struct Visitor {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int32_t i) const { return "i32:" + std::to_string(i); }
    std::string operator()(int64_t i) const { return "i64:" + std::to_string(i); }
    std::string operator()(float f) const { return "f:" + std::to_string(f); }
    std::string operator()(double d) const { return "d:" + std::to_string(d); }
    std::string operator()(const std::string& s) const { return "'" + s + "'"; }
    std::string operator()(const ValueList& l) const { return show_list(l); }
    std::string operator()(const ValueMap& m) const {
      std::string s = "{";
      for (const auto& [k, val] : m) s += show(k) + ":" + show(val) + ",";
      return s + "}";
    }
  };
  return std::visit(Visitor{}, v.v);
}

inline std::string show(const std::vector<Row>& rows) {
  std::string s;
  for (const auto& r : rows) s += show_list(r) + "\n";
  return s;
}

inline std::string write_file(const std::vector<Field>& schema, const std::vector<Row>& rows,
                              WriterOptions options = {}) {
  FileWriter w(schema, options);
  for (const auto& r : rows) w.add_row(r);
  return w.finish();
}

inline std::vector<Row> read_rows(const std::string& file) {
  return FileReader(file).read_all();
}

}  // namespace sluice::lake::parquet::testing
