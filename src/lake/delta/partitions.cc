#include "lake/delta/partitions.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include "common/iso8601.h"
#include "lake/delta/delta_error.h"
#include "lake/delta/time_text.h"

namespace sluice::lake::delta {
namespace {

using parquet::Row;
using parquet::Type;
using parquet::Value;

bool can_partition_by(Type type) {
  switch (type) {
    case Type::kString:
    case Type::kInt32:
    case Type::kInt64:
    case Type::kDate:
    case Type::kTimestampMicros:
    case Type::kBoolean:
      return true;
    default:
      return false;  // floats have no exact text; binary has no agreed one
  }
}

// The characters Hive (and so Spark and delta-rs) escapes in partition
// directory names, plus NUL, which no store accepts in a key.
bool hive_escapes(unsigned char c) {
  static constexpr std::string_view kSpecial = "\"#%'*/:=?\\{[]^";
  return c < 0x20 || c == 0x7f || kSpecial.find(char(c)) != std::string_view::npos;
}

// RFC 2396 characters a path may hold as they are: unreserved and pchar marks, and '/'.
bool uri_keeps(unsigned char c) {
  static constexpr std::string_view kMarks = "-_.!~*'()/:@&=+$,";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kMarks.find(char(c)) != std::string_view::npos;
}

void append_percent(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "col=value" of one partition column, escaped.
std::string directory_name(const std::string& column, const std::optional<std::string>& value) {
  return escape_path_segment(column) + "=" +
         (value ? escape_path_segment(*value) : std::string(kNullPartitionDirectory));
}

[[noreturn]] void unreadable(const std::string& column, Type type, const std::string& text) {
  throw DeltaError("partition value '" + text + "' of column '" + column + "' is not a " +
                   delta_type_name(type) + "; the table's log is damaged or was written wrongly");
}

template <typename Int>
Value parse_integer(const std::string& text, Type type, const std::string& column) {
  Int v = 0;
  const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (err != std::errc() || end != text.data() + text.size()) unreadable(column, type, text);
  return v;
}

template <typename T>
const T& cell(const Value& value, Type type) {
  const T* v = std::get_if<T>(&value.v);
  if (!v) {
    throw DeltaError("a partition value does not hold a " + delta_type_name(type) +
                     "; rows must match the table's schema");
  }
  return *v;
}

}  // namespace

std::string partition_column_problem(const TableSchema& schema, const std::string& column) {
  const auto it = std::find_if(schema.begin(), schema.end(),
                               [&](const TableColumn& c) { return c.name == column; });
  if (it == schema.end()) return "is not one of the table's columns";
  if (!can_partition_by(it->type)) {
    return "is a " + delta_type_name(it->type) +
           " column; partition columns must be string, integer, long, date, timestamp or boolean";
  }
  return "";
}

std::optional<std::string> serialize_partition_value(const Value& value, Type type) {
  if (value.is_null()) return std::nullopt;
  switch (type) {
    case Type::kString: {
      const std::string& s = cell<std::string>(value, type);
      if (s.empty()) return std::nullopt;  // the protocol reads "" as null anyway: say so
      return s;
    }
    case Type::kInt32:
      return std::to_string(cell<int32_t>(value, type));
    case Type::kInt64:
      return std::to_string(cell<int64_t>(value, type));
    case Type::kDate:
      return format_iso_date(cell<int32_t>(value, type));
    case Type::kTimestampMicros:
      return format_timestamp_micros(cell<int64_t>(value, type));
    case Type::kBoolean:
      return cell<bool>(value, type) ? "true" : "false";
    default:
      throw DeltaError("a " + delta_type_name(type) + " column cannot be a partition column");
  }
}

Value parse_partition_value(const std::optional<std::string>& text, Type type,
                            const std::string& column) {
  if (!text || text->empty()) return Value();
  const std::string& t = *text;
  switch (type) {
    case Type::kString:
      return t;
    case Type::kInt32:
      return parse_integer<int32_t>(t, type, column);
    case Type::kInt64:
      return parse_integer<int64_t>(t, type, column);
    case Type::kDate:
      if (auto days = parse_date(t)) return *days;
      break;
    case Type::kTimestampMicros:
      if (auto micros = parse_timestamp_micros(t)) return *micros;
      break;
    case Type::kBoolean:
      if (t == "true" || t == "false") return t == "true";
      break;
    default:
      throw DeltaError("partition column '" + column + "' is a " + delta_type_name(type) +
                       ", which sluice cannot read from partition values");
  }
  unreadable(column, type, t);
}

std::string escape_path_segment(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (hive_escapes(c)) {
      append_percent(out, c);
    } else {
      out += char(c);
    }
  }
  return out;
}

std::string path_to_uri(std::string_view path) {
  std::string out;
  for (unsigned char c : path) {
    if (uri_keeps(c)) {
      out += char(c);
    } else {
      append_percent(out, c);
    }
  }
  return out;
}

// A '%' not followed by two hex digits is kept as it is: lenient with logs of other writers.
std::string path_from_uri(std::string_view uri) {
  std::string out;
  for (size_t i = 0; i < uri.size(); ++i) {
    const int hi = uri[i] == '%' && i + 2 < uri.size() ? hex_digit(uri[i + 1]) : -1;
    const int lo = hi >= 0 ? hex_digit(uri[i + 2]) : -1;
    if (lo >= 0) {
      out += char(hi * 16 + lo);
      i += 2;
    } else {
      out += uri[i];
    }
  }
  return out;
}

PartitionLayout::PartitionLayout(TableSchema schema, std::vector<std::string> partition_columns)
    : schema_(std::move(schema)), partition_columns_(std::move(partition_columns)) {
  for (const auto& column : partition_columns_) {
    const auto it = std::find_if(schema_.begin(), schema_.end(),
                                 [&](const TableColumn& c) { return c.name == column; });
    if (it == schema_.end()) {
      throw DeltaError("partition column '" + column +
                       "' is not a column of the table's schema; the table's metaData is wrong");
    }
    const size_t at = size_t(it - schema_.begin());
    if (std::count(partition_index_.begin(), partition_index_.end(), at) > 0)
      throw DeltaError("partition column '" + column + "' is named twice");
    partition_index_.push_back(at);
  }
  for (size_t i = 0; i < schema_.size(); ++i) {
    if (std::count(partition_index_.begin(), partition_index_.end(), i) > 0) continue;
    data_index_.push_back(i);
    data_schema_.push_back(schema_[i]);
  }
}

PartitionLayout::PartitionLayout(const Metadata& metadata)
    : PartitionLayout(parse_schema_string(metadata.schema_string), metadata.partition_columns) {}

PartitionValues PartitionLayout::values_of(const Row& row) const {
  PartitionValues values;
  for (size_t i = 0; i < partition_columns_.size(); ++i) {
    const TableColumn& c = schema_[partition_index_[i]];
    values[c.name] = serialize_partition_value(row[partition_index_[i]], c.type);
  }
  return values;
}

FilePartition PartitionLayout::partition_of(const PartitionValues& values) const {
  FilePartition p{values, ""};
  for (const auto& column : partition_columns_) {
    const auto it = values.find(column);
    p.directory += directory_name(column, it == values.end() ? std::nullopt : it->second) + "/";
  }
  return p;
}

std::string PartitionLayout::row_problem(const Row& row) const {
  for (size_t i = 0; i < partition_columns_.size() && partition_index_[i] < row.size(); ++i) {
    const TableColumn& c = schema_[partition_index_[i]];
    const size_t length =
        directory_name(c.name, serialize_partition_value(row[partition_index_[i]], c.type)).size();
    if (length > kMaxDirectoryName) {
      return "column '" + c.name + "': its value would make a partition directory name of " +
             std::to_string(length) + " bytes; file systems allow " +
             std::to_string(kMaxDirectoryName);
    }
  }
  return "";
}

std::vector<PartitionGroup> PartitionLayout::split(std::vector<Row> rows) const {
  if (rows.empty()) return {};
  if (!partitioned()) return {PartitionGroup{{}, std::move(rows)}};
  std::vector<PartitionGroup> groups;
  std::map<PartitionValues, size_t> group_of;
  for (Row& row : rows) {
    if (row.size() != schema_.size()) {
      throw DeltaError("a row has " + std::to_string(row.size()) + " values but the table has " +
                       std::to_string(schema_.size()) + " columns");
    }
    PartitionValues values = values_of(row);
    const auto [it, added] = group_of.try_emplace(values, groups.size());
    if (added) groups.push_back({partition_of(values), {}});
    groups[it->second].rows.push_back(data_row(std::move(row)));
  }
  return groups;
}

std::vector<Row> PartitionLayout::table_rows(const std::vector<parquet::Field>& file_fields,
                                             std::vector<Row> file_rows,
                                             const PartitionValues& values) const {
  // What every row of the file shares: its partition cells, and where each file column goes.
  Row partition_cells(schema_.size());
  for (size_t i = 0; i < partition_columns_.size(); ++i) {
    const auto it = values.find(partition_columns_[i]);
    const TableColumn& c = schema_[partition_index_[i]];
    partition_cells[partition_index_[i]] =
        parse_partition_value(it == values.end() ? std::nullopt : it->second, c.type, c.name);
  }
  std::vector<std::pair<size_t, size_t>> moves;  // (file column, table column)
  for (size_t f = 0; f < file_fields.size(); ++f) {
    for (size_t d : data_index_) {
      if (schema_[d].name == file_fields[f].name) moves.emplace_back(f, d);
    }
  }
  std::vector<Row> out;
  out.reserve(file_rows.size());
  for (Row& file_row : file_rows) {
    Row row = partition_cells;
    for (const auto& [f, d] : moves) {
      if (f < file_row.size()) row[d] = std::move(file_row[f]);
    }
    out.push_back(std::move(row));
  }
  return out;
}

Row PartitionLayout::data_row(Row row) const {
  if (!partitioned()) return row;
  Row out;
  out.reserve(data_index_.size());
  for (size_t i : data_index_) out.push_back(std::move(row[i]));
  return out;
}

}  // namespace sluice::lake::delta
