// The subset of parquet.thrift (apache/parquet-format) sluice writes and reads:
// each struct described once by its visit() (field ids, types and requiredness
// as parquet.thrift has them, in field-id order), encoded and decoded by the
// generic codec of thrift_codec.h. Fields parquet.thrift has and these structs
// leave out are skipped when read.
//
// Invariant: encode() writes every field parquet.thrift marks required plus the
// optional ones set here; decode() skips fields it does not know and throws
// ParquetError naming the struct and field when a required one is missing or
// the input is malformed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::lake::parquet::meta {

// Enum values of parquet.thrift.
enum PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6
};
enum ConvertedType : int32_t {
  kUtf8 = 0,
  kMap = 1,
  kMapKeyValue = 2,
  kList = 3,
  kDecimal = 5,
  kDate = 6,
  kTimestampMicros = 10
};
enum Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };
enum Encoding : int32_t { kPlain = 0, kPlainDictionary = 2, kRle = 3, kRleDictionary = 8 };
enum CompressionCodec : int32_t { kUncompressed = 0, kSnappy = 1, kZstd = 6 };
enum PageType : int32_t { kDataPage = 0, kIndexPage = 1, kDictionaryPage = 2, kDataPageV2 = 3 };
// Field ids of the LogicalType union (and of TimeUnit for timestamps).
enum LogicalId : int16_t {
  kLogicalNone = 0,
  kLogicalString = 1,
  kLogicalMap = 2,
  kLogicalList = 3,
  kLogicalDecimal = 5,
  kLogicalDate = 6,
  kLogicalTimestamp = 8
};
enum TimeUnitId : int16_t { kMillis = 1, kMicros = 2, kNanos = 3 };
// Field id of the ColumnOrder union's one member.
enum ColumnOrderId : int16_t { kTypeOrder = 1 };

struct Statistics {
  static constexpr const char* kThriftName = "Statistics";
  std::optional<std::string> max, min;  // legacy (signed order); numeric columns only
  std::optional<int64_t> null_count;
  std::optional<std::string> max_value, min_value;
  template <class V>
  void visit(V& v) {
    v.optional(1, "max", max);
    v.optional(2, "min", min);
    v.optional(3, "null_count", null_count);
    v.optional(5, "max_value", max_value);
    v.optional(6, "min_value", min_value);
  }
};

// Union: `which` is a TimeUnitId; each member is an empty struct.
struct TimeUnit {
  static constexpr const char* kThriftName = "TimeUnit";
  static constexpr bool kThriftUnion = true;
  int16_t which = 0;
  template <class V>
  void visit(V& v) {
    v.member(kMillis, "MILLIS");
    v.member(kMicros, "MICROS");
    v.member(kNanos, "NANOS");
  }
};

struct TimestampType {
  static constexpr const char* kThriftName = "TimestampType";
  bool is_adjusted_to_utc = false;
  TimeUnit unit;
  template <class V>
  void visit(V& v) {
    v.required(1, "isAdjustedToUTC", is_adjusted_to_utc);
    v.required(2, "unit", unit);
  }
};

struct DecimalType {
  static constexpr const char* kThriftName = "DecimalType";
  int32_t scale = 0;
  int32_t precision = 0;
  template <class V>
  void visit(V& v) {
    v.required(1, "scale", scale);
    v.required(2, "precision", precision);
  }
};

// Union: `which` is a LogicalId (kLogicalNone: no logical type). Members this
// code does not describe are still recorded in `which` when read.
struct LogicalType {
  static constexpr const char* kThriftName = "LogicalType";
  static constexpr bool kThriftUnion = true;
  int16_t which = kLogicalNone;
  TimestampType timestamp;  // TIMESTAMP only
  DecimalType decimal;      // DECIMAL only
  template <class V>
  void visit(V& v) {
    v.member(kLogicalString, "STRING");
    v.member(kLogicalMap, "MAP");
    v.member(kLogicalList, "LIST");
    v.member(kLogicalDecimal, "DECIMAL", decimal);
    v.member(kLogicalDate, "DATE");
    v.member(kLogicalTimestamp, "TIMESTAMP", timestamp);
  }
};

struct SchemaElement {
  static constexpr const char* kThriftName = "SchemaElement";
  std::optional<int32_t> type;  // PhysicalType; absent for groups
  std::optional<int32_t> repetition;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<int32_t> converted_type;
  std::optional<int32_t> scale, precision;  // DECIMAL (the converted type's parameters)
  LogicalType logical_type;
  template <class V>
  void visit(V& v) {
    v.optional(1, "type", type);
    v.optional(3, "repetition_type", repetition);
    v.required(4, "name", name);
    v.optional(5, "num_children", num_children);
    v.optional(6, "converted_type", converted_type);
    v.optional(7, "scale", scale);
    v.optional(8, "precision", precision);
    v.optional(10, "logicalType", logical_type);
  }
};

struct ColumnMetaData {
  static constexpr const char* kThriftName = "ColumnMetaData";
  int32_t type = 0;
  std::vector<int32_t> encodings;
  std::vector<std::string> path;
  int32_t codec = 0;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
  template <class V>
  void visit(V& v) {
    v.required(1, "type", type);
    v.required(2, "encodings", encodings);
    v.required(3, "path_in_schema", path);
    v.required(4, "codec", codec);
    v.required(5, "num_values", num_values);
    v.required(6, "total_uncompressed_size", total_uncompressed_size);
    v.required(7, "total_compressed_size", total_compressed_size);
    v.required(9, "data_page_offset", data_page_offset);
    v.optional(11, "dictionary_page_offset", dictionary_page_offset);
    v.optional(12, "statistics", statistics);
  }
};

struct ColumnChunk {
  static constexpr const char* kThriftName = "ColumnChunk";
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
  template <class V>
  void visit(V& v) {
    v.required(2, "file_offset", file_offset);
    v.optional(3, "meta_data", meta_data);
  }
};

struct RowGroup {
  static constexpr const char* kThriftName = "RowGroup";
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
  template <class V>
  void visit(V& v) {
    v.required(1, "columns", columns);
    v.required(2, "total_byte_size", total_byte_size);
    v.required(3, "num_rows", num_rows);
    v.optional(5, "file_offset", file_offset);
    v.optional(6, "total_compressed_size", total_compressed_size);
    v.optional(7, "ordinal", ordinal);
  }
};

struct KeyValue {
  static constexpr const char* kThriftName = "KeyValue";
  std::string key;
  std::optional<std::string> value;
  template <class V>
  void visit(V& v) {
    v.required(1, "key", key);
    v.optional(2, "value", value);
  }
};

// Union: `which` is a ColumnOrderId. TYPE_ORDER: min_value/max_value follow
// the logical type's sort order.
struct ColumnOrder {
  static constexpr const char* kThriftName = "ColumnOrder";
  static constexpr bool kThriftUnion = true;
  int16_t which = 0;
  template <class V>
  void visit(V& v) {
    v.member(kTypeOrder, "TYPE_ORDER");
  }
};

struct FileMetaData {
  static constexpr const char* kThriftName = "FileMetaData";
  int32_t version = 1;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  std::vector<ColumnOrder> column_orders;  // one per leaf, or none
  template <class V>
  void visit(V& v) {
    v.required(1, "version", version);
    v.required(2, "schema", schema);
    v.required(3, "num_rows", num_rows);
    v.required(4, "row_groups", row_groups);
    v.optional(5, "key_value_metadata", key_value_metadata);
    v.optional(6, "created_by", created_by);
    v.optional(7, "column_orders", column_orders);
  }
};

struct DataPageHeader {
  static constexpr const char* kThriftName = "DataPageHeader";
  int32_t num_values = 0;
  int32_t encoding = kPlain;
  int32_t definition_level_encoding = kRle;
  int32_t repetition_level_encoding = kRle;
  template <class V>
  void visit(V& v) {
    v.required(1, "num_values", num_values);
    v.required(2, "encoding", encoding);
    v.required(3, "definition_level_encoding", definition_level_encoding);
    v.required(4, "repetition_level_encoding", repetition_level_encoding);
  }
};

struct DictionaryPageHeader {
  static constexpr const char* kThriftName = "DictionaryPageHeader";
  int32_t num_values = 0;
  int32_t encoding = kPlain;
  template <class V>
  void visit(V& v) {
    v.required(1, "num_values", num_values);
    v.required(2, "encoding", encoding);
  }
};

struct PageHeader {
  static constexpr const char* kThriftName = "PageHeader";
  int32_t type = kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<DataPageHeader> data_page;
  std::optional<DictionaryPageHeader> dictionary_page;
  template <class V>
  void visit(V& v) {
    v.required(1, "type", type);
    v.required(2, "uncompressed_page_size", uncompressed_page_size);
    v.required(3, "compressed_page_size", compressed_page_size);
    v.optional(5, "data_page_header", data_page);
    v.optional(7, "dictionary_page_header", dictionary_page);
  }
};

void encode(const FileMetaData& m, std::string& out);
void encode(const PageHeader& h, std::string& out);

FileMetaData decode_file_metadata(std::string_view in);
// Decodes a page header at the start of `in`; `consumed` gets its length.
PageHeader decode_page_header(std::string_view in, size_t& consumed);

}  // namespace sluice::lake::parquet::meta
