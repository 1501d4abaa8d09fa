// Writes one Parquet file (apache/parquet-format) in memory, row by row.
//
// Schema: a tree of fields. Leaves are primitive columns; a struct is a group of
// fields; a list and a map are the standard three-level LIST and MAP layouts
// (parquet-format LogicalTypes.md). Flat tables use only leaves; Delta
// checkpoints need structs, lists and maps.
//
// Invariants: finish() returns a complete, self-describing file ("PAR1" ...
// footer ... "PAR1") that an independent reader (DuckDB) reads back with equal
// values; add_row() either appends the whole row or throws ParquetError without
// changing the file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sluice::lake::parquet {

class ParquetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Type {
  kBoolean,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kString,
  kBinary,
  kTimestampMicros,
  kDate,
  kDecimal  // DECIMAL(precision ≤ 18, scale) on INT64: the unscaled value as int64
};
enum class Codec { kUncompressed, kSnappy, kZstd };

struct Field {
  enum class Kind { kLeaf, kStruct, kList, kMap };
  std::string name;
  Kind kind = Kind::kLeaf;
  Type type = Type::kString;  // leaves, list elements and map values/keys use `children`
  bool optional = true;
  std::vector<Field> children;   // struct: its fields; list: {element}; map: {key, value}
  int precision = 0, scale = 0;  // kDecimal leaves

  static Field leaf(std::string name, Type type, bool optional = true);
  static Field decimal(std::string name, int precision, int scale, bool optional = true);
  static Field structure(std::string name, std::vector<Field> fields, bool optional = true);
  static Field list(std::string name, Field element, bool optional = true);
  static Field map(std::string name, Field key, Field value, bool optional = true);
};

struct Value;
using ValueList = std::vector<Value>;
using ValueMap = std::vector<std::pair<Value, Value>>;
// A cell: null, a primitive (timestamps: µs since the epoch as int64; dates:
// days since the epoch as int32; decimals: the unscaled value as int64), a struct's fields in
// schema order, a list or a map.
struct Value {
  std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string, ValueList,
               ValueMap>
      v;
  Value() = default;
  template <typename T>
  Value(T x) : v(std::move(x)) {}  // NOLINT: implicit on purpose, rows read like literals
  bool is_null() const { return std::holds_alternative<std::monostate>(v); }
};
using Row = std::vector<Value>;  // one Value per top-level field

struct WriterOptions {
  Codec codec = Codec::kSnappy;
  int64_t row_group_bytes = 128 << 20;  // a row group is closed once its encoded data reaches this
  int64_t page_bytes = 1 << 20;         // a data page is closed once it reaches this
  bool dictionary =
      true;  // strings/binary: dictionary first, plain once it grows past dictionary_bytes
  int64_t dictionary_bytes = 1 << 20;
  std::map<std::string, std::string> key_value_metadata;
  // add_columns() only: encode and compress columns on up to this many threads.
  // The file is byte-for-byte the same for any value; add_row() is always serial.
  int threads = 1;
};

// Per leaf column of the whole file; min/max are absent when every value is null
// (or for nested columns). For Delta `add` stats.
struct ColumnStats {
  std::string path;  // dotted path of the leaf, e.g. "add.size"
  int64_t null_count = 0;
  std::optional<Value> min, max;
};

// Fast path: one flat leaf column of a batch, for FileWriter::add_columns().
// `data` points at `rows` values of the leaf's C++ type (timestamps int64_t,
// dates int32_t, strings and binary std::string_view); `valid`, if not null,
// holds one byte per row and 0 marks a null (its data slot is ignored).
struct ColumnView {
  enum class Kind { kBool, kInt32, kInt64, kFloat, kDouble, kBytes };
  Kind kind;
  const void* data;
  const uint8_t* valid;
  ColumnView(const bool* v, const uint8_t* ok = nullptr) : kind(Kind::kBool), data(v), valid(ok) {}
  ColumnView(const int32_t* v, const uint8_t* ok = nullptr)
      : kind(Kind::kInt32), data(v), valid(ok) {}
  ColumnView(const int64_t* v, const uint8_t* ok = nullptr)
      : kind(Kind::kInt64), data(v), valid(ok) {}
  ColumnView(const float* v, const uint8_t* ok = nullptr)
      : kind(Kind::kFloat), data(v), valid(ok) {}
  ColumnView(const double* v, const uint8_t* ok = nullptr)
      : kind(Kind::kDouble), data(v), valid(ok) {}
  ColumnView(const std::string_view* v, const uint8_t* ok = nullptr)
      : kind(Kind::kBytes), data(v), valid(ok) {}
};

class FileWriter {
 public:
  FileWriter(std::vector<Field> schema, WriterOptions options = {});
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // Throws ParquetError naming the field when a value does not match the schema
  // (wrong type, null in a required field, wrong arity).
  void add_row(const Row& row);
  // Appends `rows` rows column by column without building Values: the fast
  // path for flat schemas (every top-level field a leaf), one view per field.
  // Throws ParquetError (before appending anything) on a nested schema, a
  // view of the wrong kind, or a null in a required column. The row-group size
  // is checked every 64Ki rows here, so row groups may overshoot by that much.
  void add_columns(size_t rows, const std::vector<ColumnView>& columns);
  int64_t rows() const;
  // Encoded size so far, for size-based file rolling.
  int64_t estimated_bytes() const;
  // The complete file; the writer cannot be used afterwards.
  std::string finish();
  std::vector<ColumnStats> stats() const;  // valid after finish()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::lake::parquet
