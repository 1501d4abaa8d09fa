// Thrift compact protocol: known encodings (as Apache Thrift's TCompactProtocol
// writes them), round trips of the Parquet structs, and rejection of bad input.
#include <gtest/gtest.h>

#include <string>

#include "lake/parquet/file_writer.h"
#include "lake/parquet/metadata.h"
#include "lake/parquet/thrift_compact.h"

namespace sluice::lake::parquet {
namespace {

using thrift::CompactReader;
using thrift::CompactWriter;
using thrift::CType;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(char(x));
  return s;
}

TEST(ParquetThrift, ShortFieldHeaderCarriesIdDeltaAndType) {
  std::string out;
  CompactWriter w(out);
  w.begin_struct();
  w.field_i32(1, 5);      // delta 1, type i32 (5), zigzag(5) = 10
  w.field_i64(2, -1);     // delta 1, type i64 (6), zigzag(-1) = 1
  w.field_bool(4, true);  // delta 2, type true (1)
  w.field_binary(5, "ab");
  w.end_struct();
  EXPECT_EQ(out, bytes({0x15, 0x0A, 0x16, 0x01, 0x21, 0x18, 0x02, 'a', 'b', 0x00}));
}

TEST(ParquetThrift, LongFieldHeaderForBigJumps) {
  std::string out;
  CompactWriter w(out);
  w.begin_struct();
  w.field_i32(20, 300);  // type byte, zigzag(20) = 40, zigzag(300) = 600 = 0xD8 0x04
  w.end_struct();
  EXPECT_EQ(out, bytes({0x05, 0x28, 0xD8, 0x04, 0x00}));
}

TEST(ParquetThrift, ListHeadersShortAndLong) {
  std::string out;
  CompactWriter w(out);
  w.list_header(CType::kI32, 3);
  w.list_header(CType::kStruct, 20);
  EXPECT_EQ(out, bytes({0x35, 0xFC, 0x14}));
}

TEST(ParquetThrift, NestedStructRestoresOuterFieldIds) {
  std::string out;
  CompactWriter w(out);
  w.begin_struct();
  w.field_i32(3, 1);
  w.field_struct(4);
  w.field_i32(1, 2);
  w.end_struct();
  w.field_i32(5, 3);  // delta from 4, not from the inner 1
  w.end_struct();
  EXPECT_EQ(out, bytes({0x35, 0x02, 0x1C, 0x15, 0x04, 0x00, 0x15, 0x06, 0x00}));
}

TEST(ParquetThrift, ReaderSkipsUnknownFieldsOfEveryType) {
  std::string out;
  CompactWriter w(out);
  w.begin_struct();
  w.field_binary(1, "skip me");
  w.field_list(2, CType::kI32, 20);
  for (int i = 0; i < 20; ++i) w.i32(i);
  w.field_struct(3);
  w.field_bool(1, false);
  w.end_struct();
  w.field_i64(9, 77);
  w.end_struct();
  CompactReader r(out);
  r.begin_struct();
  int16_t id;
  CType t;
  int64_t got = 0;
  while (r.next_field(id, t)) {
    if (id == 9) {
      got = r.i64();
    } else {
      r.skip(t);
    }
  }
  EXPECT_EQ(got, 77);
  EXPECT_EQ(r.position(), out.size());
}

TEST(ParquetThrift, TruncatedInputThrows) {
  std::string out;
  CompactWriter w(out);
  w.begin_struct();
  w.field_binary(1, "hello");
  w.end_struct();
  for (size_t n = 0; n < out.size(); ++n) {
    CompactReader r(std::string_view(out).substr(0, n));
    EXPECT_THROW(r.skip(CType::kStruct), ParquetError) << n;
  }
}

TEST(ParquetThrift, DeepNestingIsRejected) {
  std::string deep(100, char(0x1C));  // field 1, struct, nested 100 times
  CompactReader r(deep);
  EXPECT_THROW(r.skip(CType::kStruct), ParquetError);
}

TEST(ParquetThrift, ListCountBeyondInputIsRejected) {
  const std::string lie = bytes({0xF5, 0xFF, 0xFF, 0xFF, 0x0F});
  CompactReader r(lie);
  EXPECT_THROW(r.skip(CType::kList), ParquetError);
}

TEST(ParquetMetadata, PageHeaderRoundTrip) {
  meta::PageHeader h;
  h.type = meta::kDataPage;
  h.uncompressed_page_size = 1000;
  h.compressed_page_size = 600;
  h.data_page = meta::DataPageHeader{42, meta::kRleDictionary, meta::kRle, meta::kRle};
  std::string out;
  meta::encode(h, out);
  out += "trailing page bytes";
  size_t used = 0;
  const meta::PageHeader back = meta::decode_page_header(out, used);
  EXPECT_EQ(out.substr(used), "trailing page bytes");
  EXPECT_EQ(back.uncompressed_page_size, 1000);
  EXPECT_EQ(back.compressed_page_size, 600);
  ASSERT_TRUE(back.data_page);
  EXPECT_EQ(back.data_page->num_values, 42);
  EXPECT_EQ(back.data_page->encoding, meta::kRleDictionary);
}

TEST(ParquetMetadata, FileMetaDataRoundTrip) {
  meta::FileMetaData m;
  meta::SchemaElement root;
  root.name = "schema";
  root.num_children = 1;
  meta::SchemaElement ts;
  ts.name = "ts";
  ts.type = meta::kInt64;
  ts.repetition = meta::kOptional;
  ts.converted_type = meta::kTimestampMicros;
  ts.logical_type.which = meta::kLogicalTimestamp;
  ts.logical_type.timestamp.is_adjusted_to_utc = true;
  ts.logical_type.timestamp.unit.which = meta::kMicros;
  m.schema = {root, ts};
  m.num_rows = 3;
  meta::RowGroup g;
  g.num_rows = 3;
  meta::ColumnMetaData c;
  c.type = meta::kInt64;
  c.encodings = {meta::kPlain, meta::kRle};
  c.path = {"ts"};
  c.codec = meta::kZstd;
  c.num_values = 3;
  c.data_page_offset = 4;
  c.total_compressed_size = 50;
  c.statistics = meta::Statistics{};
  c.statistics->null_count = 1;
  c.statistics->min_value = std::string("\x01\0\0\0\0\0\0\0", 8);
  g.columns.push_back(meta::ColumnChunk{4, c});
  m.row_groups = {g};
  m.key_value_metadata = {{"k", "v"}};
  m.created_by = "test";
  m.column_orders = {meta::ColumnOrder{meta::kTypeOrder}};
  std::string out;
  meta::encode(m, out);
  const meta::FileMetaData back = meta::decode_file_metadata(out);
  ASSERT_EQ(back.schema.size(), 2u);
  EXPECT_EQ(back.schema[1].name, "ts");
  EXPECT_EQ(back.schema[1].logical_type.which, meta::kLogicalTimestamp);
  EXPECT_TRUE(back.schema[1].logical_type.timestamp.is_adjusted_to_utc);
  EXPECT_EQ(back.schema[1].logical_type.timestamp.unit.which, meta::kMicros);
  ASSERT_EQ(back.row_groups.size(), 1u);
  const auto& bc = *back.row_groups[0].columns[0].meta_data;
  EXPECT_EQ(bc.codec, meta::kZstd);
  EXPECT_EQ(bc.path, std::vector<std::string>{"ts"});
  EXPECT_EQ(*bc.statistics->null_count, 1);
  EXPECT_EQ(*bc.statistics->min_value, c.statistics->min_value);
  EXPECT_EQ(back.key_value_metadata[0].value, "v");
  EXPECT_EQ(back.created_by, "test");
}

TEST(ParquetMetadata, MissingRequiredFieldIsRejected) {
  std::string out;
  CompactWriter w(out);
  w.begin_struct();
  w.field_i32(1, 1);  // version only
  w.end_struct();
  EXPECT_THROW(meta::decode_file_metadata(out), ParquetError);
}

}  // namespace
}  // namespace sluice::lake::parquet
