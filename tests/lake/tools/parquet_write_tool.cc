// parquet_write_tool: writes deterministic Parquet files with sluice's
// FileWriter (every type, nulls, nested struct/list/map, each codec,
// dictionary and plain, several row groups and pages) into a directory, and
// prints on stdout, as JSON, what an independent reader must find in them:
// the rows, the codec, and each leaf column's statistics.
//
// Usage: parquet_write_tool <out_dir>
//
// Values are encoded in the JSON as parquet_json.h says (test_parquet_duckdb.py
// compares them with DuckDB's).
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "lake/parquet/file_writer.h"
#include "parquet_json.h"

namespace sluice::lake::parquet {
namespace {

const char* type_name(Type t) {
  switch (t) {
    case Type::kBoolean:
      return "boolean";
    case Type::kInt32:
      return "int32";
    case Type::kInt64:
      return "int64";
    case Type::kFloat:
      return "float";
    case Type::kDouble:
      return "double";
    case Type::kString:
      return "string";
    case Type::kBinary:
      return "binary";
    case Type::kTimestampMicros:
      return "timestamp";
    case Type::kDate:
      return "date";
    case Type::kDecimal:
      return "decimal";
  }
  return "?";
}

const Field* find_leaf(const std::vector<Field>& fields, const std::string& path) {
  for (const auto& f : fields) {
    if (path == f.name && f.kind == Field::Kind::kLeaf) return &f;
    if (path.rfind(f.name + ".", 0) == 0) {
      if (const Field* l = find_leaf(f.children, path.substr(f.name.size() + 1))) return l;
    }
  }
  return nullptr;
}

struct Spec {
  std::string name;
  std::vector<Field> schema;
  std::vector<Row> rows;
  WriterOptions options;
};

std::string write(const Spec& s, const std::string& dir) {
  FileWriter w(s.schema, s.options);
  for (const auto& r : s.rows) w.add_row(r);
  const std::string path = dir + "/" + s.name + ".parquet";
  const std::string bytes = w.finish();
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
  const char* codecs[] = {"UNCOMPRESSED", "SNAPPY", "ZSTD"};
  std::string out = "{\"name\":" + quote(s.name) + ",\"path\":" + quote(path) + ",\"codec\":\"" +
                    codecs[int(s.options.codec)] +
                    "\",\"dictionary\":" + (s.options.dictionary ? "true" : "false") +
                    ",\"fields\":[";
  for (size_t i = 0; i < s.schema.size(); ++i) out += (i ? "," : "") + quote(s.schema[i].name);
  out += "],\"columns\":[";
  const auto stats = w.stats();
  for (size_t i = 0; i < stats.size(); ++i) {
    const Field* leaf = find_leaf(s.schema, stats[i].path);
    const Field plain = Field::leaf("x", leaf ? leaf->type : Type::kString);
    out += std::string(i ? "," : "") + "{\"path\":" + quote(stats[i].path) + ",\"type\":\"" +
           type_name(plain.type) + "\",\"null_count\":" + std::to_string(stats[i].null_count) +
           ",\"min\":" + (stats[i].min ? json(plain, *stats[i].min) : "null") +
           ",\"max\":" + (stats[i].max ? json(plain, *stats[i].max) : "null") + "}";
  }
  out += "],\"rows\":[";
  for (size_t r = 0; r < s.rows.size(); ++r) {
    out += r ? ",[" : "[";
    for (size_t c = 0; c < s.schema.size(); ++c)
      out += (c ? "," : "") + json(s.schema[c], s.rows[r][c]);
    out += "]";
  }
  return out + "]}";
}

// ---- the files --------------------------------------------------------------

std::vector<Field> flat_schema() {
  return {Field::leaf("b", Type::kBoolean),
          Field::leaf("i32", Type::kInt32),
          Field::leaf("i64", Type::kInt64),
          Field::leaf("f", Type::kFloat),
          Field::leaf("d", Type::kDouble),
          Field::leaf("s", Type::kString),
          Field::leaf("bin", Type::kBinary),
          Field::leaf("ts", Type::kTimestampMicros),
          Field::leaf("date", Type::kDate),
          Field::leaf("req_id", Type::kInt64, false),
          Field::leaf("req_name", Type::kString, false)};
}

Value nth_or_null(int i, int every, Value v) {
  return i % every == 0 ? Value() : v;
}

Row flat_row(int i) {
  static const char* names[] = {
      "alpha", "beta", "gamma", "\xC3\xA9t\xC3\xA9", "", "zeta \"quoted\"\n"};
  const int64_t big = i == 1   ? std::numeric_limits<int64_t>::min()
                      : i == 2 ? std::numeric_limits<int64_t>::max()
                               : int64_t(i) * 3'000'000'019LL - 7;
  const int32_t i32 = i == 3 ? std::numeric_limits<int32_t>::min() : i * 13 - 1000;
  const double d = i == 4 ? -0.0 : i == 5 ? 1e300 : i * 0.1 - 3;
  return {
      nth_or_null(i, 7, Value(i % 3 == 0)),
      nth_or_null(i, 11, Value(i32)),
      nth_or_null(i, 13, Value(big)),
      nth_or_null(i, 5, Value(float(i) / 3)),
      nth_or_null(i, 6, Value(d)),
      nth_or_null(i, 9, Value(std::string(names[i % 6]) + (i % 10 == 0 ? std::to_string(i) : ""))),
      nth_or_null(i, 4, Value(std::string("\x00\xFF", 2) + std::to_string(i % 50))),
      nth_or_null(
          i, 8,
          Value(int64_t(-86'400'000'000LL) + int64_t(i) * 3'600'000'123LL)),  // from 1969-12-31
      nth_or_null(i, 10, Value(int32_t(i * 3 - 400))),                        // from 1968
      Value(int64_t(i)),
      Value("name-" + std::to_string(i % 40))};
}

std::vector<Row> flat_rows(int n) {
  std::vector<Row> rows;
  for (int i = 0; i < n; ++i) rows.push_back(flat_row(i));
  return rows;
}

Field str_map(const char* name) {
  return Field::map(name, Field::leaf("key", Type::kString), Field::leaf("value", Type::kString));
}

std::vector<Field> nested_schema() {
  return {
      Field::leaf("id", Type::kInt64, false),
      Field::structure(
          "add", {Field::leaf("path", Type::kString), str_map("partitionValues"),
                  Field::leaf("size", Type::kInt64), Field::leaf("modificationTime", Type::kInt64),
                  Field::leaf("dataChange", Type::kBoolean), Field::leaf("stats", Type::kString),
                  str_map("tags")}),
      Field::structure("metaData",
                       {Field::leaf("id", Type::kString),
                        Field::list("partitionColumns", Field::leaf("element", Type::kString)),
                        str_map("configuration")}),
      Field::list("nums", Field::leaf("element", Type::kInt32)),
      Field::list("matrix", Field::list("element", Field::leaf("element", Type::kDouble))),
      Field::list("points", Field::structure("element", {Field::leaf("x", Type::kInt64),
                                                         Field::leaf("label", Type::kString)})),
      Field::map("counts", Field::leaf("key", Type::kString), Field::leaf("value", Type::kInt64)),
      Field::structure("inner",
                       {Field::structure("deep", {Field::leaf("v", Type::kString)}),
                        Field::leaf("w", Type::kInt32, false)},
                       false),
  };
}

Row nested_row(int i) {
  const auto s = [](std::string x) { return Value(std::move(x)); };
  Value add =
      i % 3 == 0
          ? Value()
          : Value(ValueList{
                s("part-" + std::to_string(i) + ".parquet"),
                i % 4 ? Value(ValueMap{{s("date"), s("2024-01-0" + std::to_string(i % 9 + 1))},
                                       {s("region"), Value()}})
                      : Value(ValueMap{}),
                Value(int64_t(i) * 1000), Value(int64_t(1'700'000'000'000LL + i)),
                Value(i % 2 == 0),
                i % 5 ? s("{\"numRecords\":" + std::to_string(i) + "}") : Value(),
                i % 7 == 1 ? Value(ValueMap{{s("tag"), s("v")}}) : Value()});
  Value meta = i % 3 == 0 ? Value(ValueList{s("table-" + std::to_string(i)),
                                            Value(ValueList{s("date"), s("region")}),
                                            Value(ValueMap{{s("delta.appendOnly"), s("true")}})})
                          : Value();
  ValueList nums;
  for (int k = 0; k < i % 5; ++k) {
    if (k == 2) {
      nums.emplace_back();  // a null element
    } else {
      nums.emplace_back(int32_t(i * 10 + k));
    }
  }
  Value matrix = i % 6 == 0 ? Value()
                            : Value(ValueList{Value(ValueList{Value(double(i)), Value()}),
                                              Value(ValueList{}), Value()});
  Value points = Value(
      ValueList{Value(ValueList{Value(int64_t(i)), s("p" + std::to_string(i % 3))}), Value()});
  Value counts =
      i % 4 == 3 ? Value() : Value(ValueMap{{s("a"), Value(int64_t(i))}, {s("b"), Value()}});
  Value inner = Value(ValueList{
      i % 2 ? Value(ValueList{i % 4 == 1 ? Value() : s("deep" + std::to_string(i))}) : Value(),
      Value(int32_t(-i))});
  return {Value(int64_t(i)),
          add,
          meta,
          i % 10 == 9 ? Value() : Value(nums),
          matrix,
          points,
          counts,
          inner};
}

std::vector<Spec> specs() {
  std::vector<Spec> out;
  const Codec codecs[] = {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd};
  const char* names[] = {"flat_uncompressed", "flat_snappy", "flat_zstd"};
  for (int c = 0; c < 3; ++c) {
    Spec s{names[c], flat_schema(), flat_rows(6000), {}};
    s.options.codec = codecs[c];
    s.options.row_group_bytes = 64 << 10;
    s.options.page_bytes = 8 << 10;
    out.push_back(s);
  }
  Spec plain{"flat_plain", flat_schema(), flat_rows(3000), {}};
  plain.options.dictionary = false;
  plain.options.row_group_bytes = 40 << 10;
  out.push_back(plain);
  Spec fallback{"dictionary_fallback",
                {Field::leaf("uniq", Type::kString), Field::leaf("few", Type::kString, false)},
                {},
                {}};
  for (int i = 0; i < 8000; ++i)
    fallback.rows.push_back(
        {Value("unique-" + std::to_string(i * 7919)), Value("few-" + std::to_string(i % 5))});
  fallback.options.dictionary_bytes = 16 << 10;
  fallback.options.page_bytes = 4 << 10;
  fallback.options.codec = Codec::kZstd;
  out.push_back(fallback);
  for (int c = 0; c < 3; ++c) {
    Spec n{std::string("nested_") + (c == 0   ? "uncompressed"
                                     : c == 1 ? "snappy"
                                              : "zstd"),
           nested_schema(),
           {},
           {}};
    for (int i = 0; i < 1500; ++i) n.rows.push_back(nested_row(i));
    n.options.codec = codecs[c];
    n.options.page_bytes = 1 << 10;
    n.options.row_group_bytes = 24 << 10;
    out.push_back(n);
  }
  return out;
}

}  // namespace
}  // namespace sluice::lake::parquet

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: parquet_write_tool <out_dir>\n");
    return 2;
  }
  std::string out = "{\"files\":[";
  bool first = true;
  for (const auto& s : sluice::lake::parquet::specs()) {
    out += (first ? "" : ",") + sluice::lake::parquet::write(s, argv[1]);
    first = false;
  }
  std::printf("%s]}\n", out.c_str());
  return 0;
}
