// Writer -> reader round trips: every type, required and optional, nulls,
// nested struct/list/map, several row groups and pages, dictionary fallback,
// every codec, statistics, and the columnar fast path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "lake/parquet/metadata.h"
#include "parquet_test_util.h"

namespace sluice::lake::parquet {
namespace {

using testing::read_rows;
using testing::show;
using testing::write_file;

std::vector<Field> all_types(bool optional) {
  return {Field::leaf("b", Type::kBoolean, optional),
          Field::leaf("i32", Type::kInt32, optional),
          Field::leaf("i64", Type::kInt64, optional),
          Field::leaf("f", Type::kFloat, optional),
          Field::leaf("d", Type::kDouble, optional),
          Field::leaf("s", Type::kString, optional),
          Field::leaf("bin", Type::kBinary, optional),
          Field::leaf("ts", Type::kTimestampMicros, optional),
          Field::leaf("date", Type::kDate, optional)};
}

Row typed_row(int i) {
  return {Value(i % 3 == 0),
          Value(int32_t(i * 7 - 50)),
          Value(int64_t(i) * 1'000'000'007LL - 3),
          Value(float(i) / 4),
          Value(double(i) * -1.5),
          Value("str" + std::to_string(i % 5)),
          Value(std::string("\x00\xFF", 2) + std::to_string(i)),
          Value(int64_t(1'700'000'000'000'000LL + i)),
          Value(int32_t(19'000 + i))};
}

meta::FileMetaData footer(const std::string& file) {
  uint32_t len;
  std::memcpy(&len, file.data() + file.size() - 8, 4);
  return meta::decode_file_metadata(std::string_view(file).substr(file.size() - 8 - len, len));
}

void expect_round_trip(const std::vector<Field>& schema, const std::vector<Row>& rows,
                       WriterOptions o = {}) {
  const std::string file = write_file(schema, rows, o);
  EXPECT_EQ(show(read_rows(file)), show(rows));
  FileReader r(file);
  EXPECT_EQ(r.num_rows(), int64_t(rows.size()));
}

TEST(ParquetRoundTrip, EveryTypeRequired) {
  std::vector<Row> rows;
  for (int i = 0; i < 50; ++i) rows.push_back(typed_row(i));
  expect_round_trip(all_types(false), rows);
}

TEST(ParquetRoundTrip, EveryTypeOptionalWithNulls) {
  std::vector<Row> rows;
  for (int i = 0; i < 50; ++i) {
    Row r = typed_row(i);
    for (size_t c = 0; c < r.size(); ++c) {
      if ((i + int(c)) % 4 == 0) r[c] = Value();
    }
    rows.push_back(r);
  }
  rows.push_back(Row(9));  // all null
  expect_round_trip(all_types(true), rows);
}

TEST(ParquetRoundTrip, EveryCodec) {
  std::vector<Row> rows;
  for (int i = 0; i < 300; ++i) rows.push_back(typed_row(i));
  for (Codec c : {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd}) {
    WriterOptions o;
    o.codec = c;
    const std::string file = write_file(all_types(false), rows, o);
    EXPECT_EQ(show(read_rows(file)), show(rows));
    const int32_t expected[] = {meta::kUncompressed, meta::kSnappy, meta::kZstd};
    EXPECT_EQ(footer(file).row_groups[0].columns[0].meta_data->codec, expected[int(c)]);
  }
}

TEST(ParquetRoundTrip, EmptyFile) {
  const std::string file = write_file(all_types(true), {});
  FileReader r(file);
  EXPECT_EQ(r.num_rows(), 0);
  EXPECT_TRUE(r.read_all().empty());
}

std::vector<Field> nested_schema() {
  return {
      Field::leaf("id", Type::kInt64, false),
      Field::structure("s",
                       {Field::leaf("a", Type::kInt32), Field::leaf("b", Type::kString, false)}),
      Field::list("l", Field::leaf("x", Type::kString)),
      Field::list("rl", Field::leaf("x", Type::kInt64, false), false),
      Field::map("m", Field::leaf("k", Type::kString), Field::leaf("v", Type::kString)),
      Field::list("ll", Field::list("inner", Field::leaf("x", Type::kInt32))),
      Field::list("ls", Field::structure("e", {Field::leaf("p", Type::kString),
                                               Field::map("mm", Field::leaf("k", Type::kString),
                                                          Field::leaf("v", Type::kInt64))})),
  };
}

TEST(ParquetRoundTrip, NestedStructListMap) {
  std::vector<Row> rows;
  rows.push_back(
      {int64_t(1), ValueList{int32_t(5), std::string("x")},
       ValueList{std::string("a"), Value(), std::string("c")}, ValueList{int64_t(1), int64_t(2)},
       ValueMap{{std::string("k1"), std::string("v1")}, {std::string("k2"), Value()}},
       ValueList{ValueList{int32_t(1), int32_t(2)}, ValueList{}, Value(), ValueList{Value()}},
       ValueList{ValueList{std::string("p"), ValueMap{{std::string("q"), int64_t(9)}}}, Value(),
                 ValueList{Value(), Value()}}});
  rows.push_back({int64_t(2), Value(), Value(), ValueList{}, Value(), Value(), Value()});
  rows.push_back({int64_t(3), ValueList{Value(), std::string("")}, ValueList{},
                  ValueList{int64_t(-5)}, ValueMap{}, ValueList{}, ValueList{}});
  rows.push_back({int64_t(4), ValueList{int32_t(1), std::string("y")}, ValueList{Value()},
                  ValueList{}, ValueMap{{std::string(""), std::string("e")}},
                  ValueList{ValueList{Value(), int32_t(3)}},
                  ValueList{ValueList{Value(), ValueMap{}}}});
  expect_round_trip(nested_schema(), rows);
  // Many pages and row groups, so lists meet page and group boundaries.
  std::vector<Row> many;
  for (int i = 0; i < 2000; ++i) many.push_back(rows[size_t(i) % rows.size()]);
  WriterOptions small;
  small.page_bytes = 64;
  small.row_group_bytes = 4096;
  const std::string file = write_file(nested_schema(), many, small);
  EXPECT_GT(footer(file).row_groups.size(), 3u);
  EXPECT_EQ(show(read_rows(file)), show(many));
}

TEST(ParquetRoundTrip, SchemaReadsBackEqual) {
  const std::string file = write_file(nested_schema(), {});
  const auto schema = FileReader(file).schema();
  const auto expected = nested_schema();
  ASSERT_EQ(schema.size(), expected.size());
  std::function<void(const Field&, const Field&)> same = [&](const Field& a, const Field& b) {
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.kind, b.kind) << a.name;
    EXPECT_EQ(a.optional, b.optional) << a.name;
    if (a.kind == Field::Kind::kLeaf) {
      EXPECT_EQ(a.type, b.type) << a.name;
    }
    ASSERT_EQ(a.children.size(), b.children.size());
    for (size_t i = 0; i < a.children.size(); ++i) same(a.children[i], b.children[i]);
  };
  for (size_t i = 0; i < schema.size(); ++i) same(schema[i], expected[i]);
}

// A decimal column (INT64 DECIMAL(12,4), what the table sink writes for an Avro
// decimal) reads back with its precision, scale and unscaled values, and its
// statistics are the signed bounds of the unscaled values.
TEST(ParquetRoundTrip, DecimalKeepsPrecisionScaleAndValues) {
  const std::vector<Field> schema = {Field::decimal("price", 12, 4),
                                     Field::decimal("qty", 18, 0, false)};
  const std::vector<Row> rows = {{Value(int64_t(451230)), Value(int64_t(7))},
                                 {Value(), Value(int64_t(-999999999999999999LL))},
                                 {Value(int64_t(-125000)), Value(int64_t(0))}};
  expect_round_trip(schema, rows);
  const std::string file = write_file(schema, rows);
  const auto back = FileReader(file).schema();
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].type, Type::kDecimal);
  EXPECT_EQ(back[0].precision, 12);
  EXPECT_EQ(back[0].scale, 4);
  EXPECT_EQ(back[1].precision, 18);
  EXPECT_EQ(back[1].scale, 0);
  const auto written = footer(file);  // kept: e refers into it
  const auto& e = written.schema.at(1);
  EXPECT_EQ(e.converted_type, meta::kDecimal);
  EXPECT_EQ(e.logical_type.which, meta::kLogicalDecimal);
  EXPECT_EQ(e.logical_type.decimal.precision, 12);
  EXPECT_THROW(Field::decimal("wide", 19, 2), ParquetError);
  EXPECT_THROW(Field::decimal("odd", 4, 5), ParquetError);
}

TEST(ParquetRoundTrip, DeltaCheckpointShape) {
  const auto str_map = [](const char* n) {
    return Field::map(n, Field::leaf("key", Type::kString), Field::leaf("value", Type::kString));
  };
  std::vector<Field> schema = {
      Field::structure(
          "add", {Field::leaf("path", Type::kString), str_map("partitionValues"),
                  Field::leaf("size", Type::kInt64), Field::leaf("modificationTime", Type::kInt64),
                  Field::leaf("dataChange", Type::kBoolean), Field::leaf("stats", Type::kString),
                  str_map("tags")}),
      Field::structure("metaData",
                       {Field::leaf("id", Type::kString),
                        Field::list("partitionColumns", Field::leaf("element", Type::kString)),
                        str_map("configuration")}),
  };
  std::vector<Row> rows = {
      {Value(), ValueList{std::string("id-1"), ValueList{std::string("date")},
                          ValueMap{{std::string("a"), std::string("b")}}}},
      {ValueList{std::string("part-0.parquet"),
                 ValueMap{{std::string("date"), std::string("2024-01-01")}}, int64_t(1234),
                 int64_t(1700000000000), true, std::string("{\"numRecords\":3}"), Value()},
       Value()},
      {ValueList{std::string("part-1.parquet"), ValueMap{}, int64_t(99), int64_t(1), false, Value(),
                 ValueMap{{std::string("t"), Value()}}},
       Value()},
  };
  expect_round_trip(schema, rows);
}

TEST(ParquetRoundTrip, ManyRowGroupsAndPages) {
  std::vector<Row> rows;
  for (int i = 0; i < 20000; ++i) rows.push_back(typed_row(i));
  WriterOptions o;
  o.page_bytes = 1000;
  o.row_group_bytes = 50'000;
  const std::string file = write_file(all_types(false), rows, o);
  const auto m = footer(file);
  EXPECT_GT(m.row_groups.size(), 2u);
  int64_t total = 0;
  for (const auto& g : m.row_groups) total += g.num_rows;
  EXPECT_EQ(total, 20000);
  EXPECT_EQ(show(read_rows(file)), show(rows));
}

TEST(ParquetRoundTrip, DictionaryFallsBackToPlain) {
  std::vector<Field> schema = {Field::leaf("s", Type::kString), Field::leaf("low", Type::kString)};
  std::vector<Row> rows;
  for (int i = 0; i < 5000; ++i)
    rows.push_back(
        {Value("unique-value-" + std::to_string(i)), Value("v" + std::to_string(i % 3))});
  WriterOptions o;
  o.dictionary_bytes = 10'000;
  o.page_bytes = 4096;
  const std::string file = write_file(schema, rows, o);
  EXPECT_EQ(show(read_rows(file)), show(rows));
  const auto m = footer(file);
  ASSERT_EQ(m.row_groups.size(), 1u);
  const auto& high = *m.row_groups[0].columns[0].meta_data;
  EXPECT_TRUE(high.dictionary_page_offset.has_value());
  EXPECT_NE(std::find(high.encodings.begin(), high.encodings.end(), meta::kRleDictionary),
            high.encodings.end());
  EXPECT_NE(std::find(high.encodings.begin(), high.encodings.end(), meta::kPlain),
            high.encodings.end());
  const auto& low = *m.row_groups[0].columns[1].meta_data;
  EXPECT_TRUE(low.dictionary_page_offset.has_value());
  // Dictionary off: PLAIN only, no dictionary page.
  o.dictionary = false;
  const auto plain = footer(write_file(schema, rows, o));
  EXPECT_FALSE(plain.row_groups[0].columns[1].meta_data->dictionary_page_offset.has_value());
}

TEST(ParquetRoundTrip, NullOnlyDictionaryColumn) {
  std::vector<Row> rows(100, Row{Value()});
  expect_round_trip({Field::leaf("s", Type::kString)}, rows);
}

TEST(ParquetStats, FileAndChunkStatistics) {
  std::vector<Field> schema = {Field::leaf("i", Type::kInt32), Field::leaf("s", Type::kString),
                               Field::leaf("d", Type::kDouble), Field::leaf("none", Type::kInt64),
                               Field::structure("st", {Field::leaf("x", Type::kInt64)})};
  std::vector<Row> rows;
  for (int i = 0; i < 1000; ++i) {
    rows.push_back({i % 10 ? Value(int32_t(i - 500)) : Value(),
                    Value(i % 2 ? std::string("\xC3\xA9t\xC3\xA9") : std::string("abc")),
                    Value(i == 3 ? std::nan("") : double(i) / 2), Value(),
                    ValueList{Value(int64_t(i * 3))}});
  }
  WriterOptions o;
  o.row_group_bytes = 2000;  // stats must merge across row groups
  FileWriter w(schema, o);
  for (const auto& r : rows) w.add_row(r);
  const std::string file = w.finish();
  const auto stats = w.stats();
  ASSERT_EQ(stats.size(), 5u);
  EXPECT_EQ(stats[0].path, "i");
  EXPECT_EQ(stats[0].null_count, 100);
  EXPECT_EQ(std::get<int32_t>(stats[0].min->v), -499);
  EXPECT_EQ(std::get<int32_t>(stats[0].max->v), 499);
  EXPECT_EQ(std::get<std::string>(stats[1].min->v), "abc");
  EXPECT_EQ(std::get<std::string>(stats[1].max->v), "\xC3\xA9t\xC3\xA9");  // unsigned byte order
  EXPECT_EQ(std::get<double>(stats[2].min->v), 0.0);                       // NaN ignored
  EXPECT_EQ(std::get<double>(stats[2].max->v), 499.5);
  EXPECT_EQ(stats[3].null_count, 1000);
  EXPECT_FALSE(stats[3].min.has_value());
  EXPECT_EQ(stats[4].path, "st.x");
  EXPECT_EQ(std::get<int64_t>(stats[4].max->v), 2997);
  const auto m = footer(file);
  EXPECT_GT(m.row_groups.size(), 1u);
  const auto& s = *m.row_groups[0].columns[1].meta_data->statistics;
  EXPECT_EQ(*s.min_value, "abc");
  EXPECT_FALSE(s.min.has_value());  // no legacy signed-order stats for strings
  const auto& si = *m.row_groups[0].columns[0].meta_data->statistics;
  EXPECT_EQ(si.min, si.min_value);
}

TEST(ParquetWriter, BadRowsThrowAndLeaveFileUnchanged) {
  FileWriter w(nested_schema());
  const Row good = {int64_t(1), Value(), Value(), ValueList{}, Value(), Value(), Value()};
  w.add_row(good);
  EXPECT_THROW(w.add_row({int64_t(1)}), ParquetError);  // arity
  EXPECT_THROW(w.add_row({Value(), Value(), Value(), ValueList{}, Value(), Value(), Value()}),
               ParquetError);  // required null
  EXPECT_THROW(w.add_row({int32_t(1), Value(), Value(), ValueList{}, Value(), Value(), Value()}),
               ParquetError);  // wrong type
  // The invalid part comes after valid columns: nothing of the row may be written.
  EXPECT_THROW(w.add_row({int64_t(2), Value(), Value(), ValueList{int64_t(1), Value()}, Value(),
                          Value(), Value()}),
               ParquetError);
  EXPECT_THROW(w.add_row({int64_t(2), Value(), Value(), ValueList{},
                          ValueMap{{Value(), std::string("v")}}, Value(), Value()}),
               ParquetError);  // null map key
  try {
    w.add_row({int64_t(2), ValueList{int32_t(1)}, Value(), ValueList{}, Value(), Value(), Value()});
    FAIL();
  } catch (const ParquetError& e) {
    EXPECT_NE(std::string(e.what()).find("'s'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(w.rows(), 1);
  const std::string file = w.finish();
  EXPECT_EQ(show(read_rows(file)), show(std::vector<Row>{good}));
  EXPECT_THROW(w.add_row(good), ParquetError);
}

TEST(ParquetWriter, ColumnarFastPathMatchesRows) {
  std::vector<Field> schema = {
      Field::leaf("id", Type::kInt64, false), Field::leaf("name", Type::kString, false),
      Field::leaf("amount", Type::kDouble),   Field::leaf("flag", Type::kBoolean, false),
      Field::leaf("opt", Type::kInt32),       Field::leaf("ts", Type::kTimestampMicros),
      Field::leaf("f", Type::kFloat)};
  const size_t n = 150'000;
  std::vector<int64_t> id(n), ts(n);
  std::vector<std::string> names(n);
  std::vector<std::string_view> name_views(n);
  std::vector<double> amount(n);
  std::unique_ptr<bool[]> flag(new bool[n]);
  std::vector<int32_t> opt(n);
  std::vector<float> f(n);
  std::vector<uint8_t> valid(n);
  std::vector<Row> rows;
  for (size_t i = 0; i < n; ++i) {
    id[i] = int64_t(i);
    names[i] = "name" + std::to_string(i % 17);
    name_views[i] = names[i];
    amount[i] = double(i) / 8;
    flag[i] = i % 3 == 0;
    opt[i] = int32_t(i);
    valid[i] = i % 5 != 0;
    ts[i] = int64_t(i) * 1000;
    f[i] = float(i);
    rows.push_back({id[i], names[i], valid[i] ? Value(amount[i]) : Value(), flag[i],
                    valid[i] ? Value(opt[i]) : Value(), ts[i], f[i]});
  }
  WriterOptions o;
  o.row_group_bytes = 300'000;
  o.page_bytes = 2000;
  FileWriter w(schema, o);
  w.add_columns(
      n, {ColumnView(id.data()), ColumnView(name_views.data()),
          ColumnView(amount.data(), valid.data()), ColumnView(flag.get()),
          ColumnView(opt.data(), valid.data()), ColumnView(ts.data()), ColumnView(f.data())});
  EXPECT_EQ(w.rows(), int64_t(n));
  const std::string file = w.finish();
  EXPECT_GT(footer(file).row_groups.size(), 1u);
  EXPECT_EQ(show(read_rows(file)), show(rows));
  FileWriter bad(schema);
  EXPECT_THROW(bad.add_columns(n, {ColumnView(id.data())}), ParquetError);
  EXPECT_THROW(
      bad.add_columns(n, {ColumnView(id.data(), valid.data()), ColumnView(name_views.data()),
                          ColumnView(amount.data()), ColumnView(flag.get()), ColumnView(opt.data()),
                          ColumnView(ts.data()), ColumnView(f.data())}),
      ParquetError);  // null in required id
  EXPECT_EQ(bad.rows(), 0);
}

TEST(ParquetWriter, EstimatedBytesGrowsAndKeyValueMetadata) {
  WriterOptions o;
  o.key_value_metadata = {{"origin", "sluice"}};
  FileWriter w({Field::leaf("s", Type::kString)}, o);
  const int64_t before = w.estimated_bytes();
  for (int i = 0; i < 1000; ++i) w.add_row({Value("row " + std::to_string(i))});
  EXPECT_GT(w.estimated_bytes(), before);
  const std::string file = w.finish();
  EXPECT_EQ(FileReader(file).key_value_metadata().at("origin"), "sluice");
}

TEST(ParquetWriter, RejectsBadSchemas) {
  EXPECT_THROW(FileWriter({}), ParquetError);
  EXPECT_THROW(FileWriter({Field::structure("s", {})}), ParquetError);
  EXPECT_THROW(FileWriter({Field::leaf("", Type::kInt32)}), ParquetError);
  Field deep = Field::leaf("x", Type::kInt32);
  for (int i = 0; i < 40; ++i) deep = Field::structure("s", {deep});
  EXPECT_THROW(FileWriter({deep}), ParquetError);
}

}  // namespace
}  // namespace sluice::lake::parquet

namespace sluice::lake::parquet {
namespace {

TEST(ParquetWriter, ThreadedColumnsWriteTheSameBytes) {
  const size_t n = 200'000;
  std::vector<int64_t> id(n);
  std::vector<std::string> text(n);
  std::vector<std::string_view> views(n);
  std::vector<uint8_t> valid(n);
  for (size_t i = 0; i < n; ++i) {
    id[i] = int64_t(i * 31);
    text[i] = "value-" + std::to_string(i % 5000);
    views[i] = text[i];
    valid[i] = i % 7 != 0;
  }
  const std::vector<Field> schema = {Field::leaf("id", Type::kInt64, false),
                                     Field::leaf("s", Type::kString),
                                     Field::leaf("j", Type::kInt64)};
  std::string files[2];
  for (int threads : {1, 3}) {
    WriterOptions o;
    o.threads = threads;
    o.codec = Codec::kZstd;
    o.row_group_bytes = 300'000;
    o.dictionary_bytes = 20'000;
    FileWriter w(schema, o);
    w.add_columns(n, {ColumnView(id.data()), ColumnView(views.data(), valid.data()),
                      ColumnView(id.data(), valid.data())});
    files[threads == 1 ? 0 : 1] = w.finish();
  }
  EXPECT_TRUE(files[0] == files[1]);  // (not EXPECT_EQ: it would print megabytes)
  EXPECT_EQ(FileReader(files[1]).read_all().size(), n);
}

}  // namespace
}  // namespace sluice::lake::parquet
