// The subset of parquet.thrift (apache/parquet-format) sluice writes and reads,
// as plain structs with compact-protocol encode/decode.
//
// Invariant: encode() writes every field parquet.thrift marks required plus the
// optional ones set here, with the field ids and types of parquet.thrift;
// decode() skips fields it does not know and throws ParquetError when a
// required one is missing or the input is malformed.
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
  kLogicalDate = 6,
  kLogicalTimestamp = 8
};
enum TimeUnit : int16_t { kMillis = 1, kMicros = 2, kNanos = 3 };

struct Statistics {
  std::optional<std::string> max, min;  // legacy (signed order); numeric columns only
  std::optional<int64_t> null_count;
  std::optional<std::string> max_value, min_value;
};

struct SchemaElement {
  std::optional<int32_t> type;  // PhysicalType; absent for groups
  std::optional<int32_t> repetition;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<int32_t> converted_type;
  int16_t logical = kLogicalNone;  // LogicalId
  bool timestamp_utc = false;      // TIMESTAMP only
  int16_t timestamp_unit = 0;      // TIMESTAMP only: TimeUnit
};

struct ColumnMetaData {
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
};

struct ColumnChunk {
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  std::optional<int64_t> file_offset;
  std::optional<int64_t> total_compressed_size;
  std::optional<int16_t> ordinal;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  int32_t type_defined_column_orders = 0;  // leaves; 0 = no column_orders field
};

struct DataPageHeader {
  int32_t num_values = 0;
  int32_t encoding = kPlain;
  int32_t definition_level_encoding = kRle;
  int32_t repetition_level_encoding = kRle;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  int32_t encoding = kPlain;
};

struct PageHeader {
  int32_t type = kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<DataPageHeader> data_page;
  std::optional<DictionaryPageHeader> dictionary_page;
};

void encode(const FileMetaData& m, std::string& out);
void encode(const PageHeader& h, std::string& out);

FileMetaData decode_file_metadata(std::string_view in);
// Decodes a page header at the start of `in`; `consumed` gets its length.
PageHeader decode_page_header(std::string_view in, size_t& consumed);

}  // namespace sluice::lake::parquet::meta
