// FileReader::read_typed_column (typed_column.h): every cell comes back as the
// Value read_column gives, whatever the type, nulls, page splits or encoding
// (dictionary, PLAIN, and a dictionary that overflows to PLAIN mid-chunk), and
// the two filters select exactly the rows a filter over those Values selects.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "lake/parquet/metadata.h"
#include "parquet_test_util.h"

namespace sluice::lake::parquet {
namespace {

using testing::show;

constexpr int kRows = 500;

std::vector<Field> every_type() {
  return {
      Field::leaf("b", Type::kBoolean),        Field::leaf("i32", Type::kInt32),
      Field::leaf("i64", Type::kInt64, false), Field::leaf("f", Type::kFloat),
      Field::leaf("d", Type::kDouble),         Field::leaf("sym", Type::kString),
      Field::leaf("bin", Type::kBinary),       Field::leaf("ts", Type::kTimestampMicros),
      Field::leaf("day", Type::kDate),         Field::decimal("price", 18, 4),
      Field::leaf("note", Type::kString),      Field::list("l", Field::leaf("x", Type::kInt32))};
}

// Row i: a few distinct symbols (dictionary-encoded), a unique note per row
// (PLAIN once the small dictionary limit is passed), nulls in every nullable column.
Row row_of(int i) {
  auto maybe = [&](int every, Value v) { return i % every == 0 ? Value() : std::move(v); };
  return {maybe(7, i % 2 == 0),
          maybe(5, int32_t(i * 3 - 700)),
          int64_t(i) * 1000 - 50'000,
          maybe(6, float(i) / 8),
          maybe(4, double(i) * 1.25),
          maybe(9, std::string(i % 3 ? "BHP" : "CBA") + (i % 11 == 0 ? "X" : "")),
          maybe(8, std::string("\0b", 2) + std::to_string(i % 5)),
          maybe(10, int64_t(1'700'000'000'000'000) + i * 997),
          maybe(3, int32_t(20'000 + i % 4)),
          maybe(12, int64_t(i) * 12345),
          maybe(13, "note number " + std::to_string(i)),
          ValueList{int32_t(i)}};
}

std::string sample(Codec codec) {
  std::vector<Row> rows;
  for (int i = 0; i < kRows; ++i) rows.push_back(row_of(i));
  WriterOptions o;
  o.codec = codec;
  o.page_bytes = 512;  // many pages per chunk
  o.row_group_bytes = 4 << 10;
  o.dictionary_bytes = 1 << 10;  // `note` overflows its dictionary
  return testing::write_file(every_type(), rows, o);
}

TEST(TypedColumn, EveryCellIsTheValueReadColumnGives) {
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kZstd}) {
    FileReader reader(sample(codec));
    ASSERT_GT(reader.num_row_groups(), 1);
    size_t rows = 0;
    for (int64_t g = 0; g < reader.num_row_groups(); ++g) {
      for (const Field& f : reader.schema()) {
        const auto values = reader.read_column(g, f.name);
        const auto typed = reader.read_typed_column(g, f.name);
        ASSERT_EQ(values.has_value(), typed.has_value()) << f.name;
        if (!typed) continue;
        ASSERT_EQ(typed->rows(), values->size()) << f.name;
        for (size_t r = 0; r < typed->rows(); ++r) {
          EXPECT_EQ(show(typed->value(r)), show((*values)[r])) << f.name << " row " << r;
          EXPECT_EQ(typed->value(r).v.index(), (*values)[r].v.index()) << f.name << " row " << r;
          EXPECT_EQ(typed->is_null(r), (*values)[r].is_null()) << f.name << " row " << r;
        }
        if (f.name == "i64") rows += typed->rows();
      }
    }
    EXPECT_EQ(rows, size_t(kRows));
  }
}

// The rows a filter over read_column's Values keeps, among `candidates` (all if null).
template <typename Keep>
std::vector<uint32_t> rows_where(const std::vector<Value>& values,
                                 const std::vector<uint32_t>* candidates, Keep keep) {
  std::vector<uint32_t> out;
  for (uint32_t r = 0; r < values.size(); ++r) {
    if (candidates && !std::binary_search(candidates->begin(), candidates->end(), r)) continue;
    if (keep(values[r])) out.push_back(r);
  }
  return out;
}

TEST(TypedColumn, FiltersSelectTheRowsAFilterOverValuesSelects) {
  FileReader reader(sample(Codec::kSnappy));
  for (int64_t g = 0; g < reader.num_row_groups(); ++g) {
    const std::vector<uint32_t> odd = [&] {
      std::vector<uint32_t> rows;
      for (uint32_t r = 1; r < reader.read_column(g, "i64")->size(); r += 2) rows.push_back(r);
      return rows;
    }();
    for (const Field& f : reader.schema()) {
      const auto values = reader.read_column(g, f.name);
      const auto typed = reader.read_typed_column(g, f.name);
      if (!typed) continue;
      for (const std::vector<uint32_t>* candidates : {static_cast<decltype(&odd)>(nullptr), &odd}) {
        for (const std::string want : {"BHP", "CBAX", "note number 42", "", "nope"}) {
          const auto expected = rows_where(*values, candidates, [&](const Value& v) {
            const auto* s = std::get_if<std::string>(&v.v);
            return s && *s == want;
          });
          EXPECT_EQ(typed->rows_equal(want, candidates), expected) << f.name << " = " << want;
        }
        for (const auto& [lo, hi] : std::vector<std::pair<int64_t, int64_t>>{
                 {-10'000, 90'000},
                 {1'700'000'000'100'000, 1'700'000'000'300'000},
                 {INT64_MIN, INT64_MAX},
                 {5, 5}}) {
          const auto expected = rows_where(*values, candidates, [&](const Value& v) {
            const auto* t = std::get_if<int64_t>(&v.v);
            return t && *t >= lo && *t < hi;
          });
          EXPECT_EQ(typed->rows_in_range(lo, hi, candidates), expected)
              << f.name << " in [" << lo << ", " << hi << ")";
        }
      }
    }
  }
}

TEST(TypedColumn, SomeFilterOfTheSampleSelectsRows) {
  // Guards the test above against a sample in which every filter selects nothing.
  FileReader reader(sample(Codec::kZstd));
  size_t bhp = 0, cbax = 0, in_range = 0;
  for (int64_t g = 0; g < reader.num_row_groups(); ++g) {
    bhp += reader.read_typed_column(g, "sym")->rows_equal("BHP", nullptr).size();
    cbax += reader.read_typed_column(g, "sym")->rows_equal("CBAX", nullptr).size();
    in_range += reader.read_typed_column(g, "i64")->rows_in_range(0, 100'000, nullptr).size();
  }
  EXPECT_GT(bhp, 100u);
  EXPECT_GT(cbax, 5u);
  EXPECT_EQ(in_range, 100u);  // rows 50..149
}

// The encodings the chunks of `column` use, over all row groups (from the footer).
std::set<int32_t> encodings_of(const std::string& file, const std::string& column) {
  uint32_t footer = 0;
  std::memcpy(&footer, file.data() + file.size() - 8, 4);
  const auto meta =
      meta::decode_file_metadata(std::string_view(file).substr(file.size() - 8 - footer, footer));
  std::set<int32_t> out;
  for (const auto& g : meta.row_groups)
    for (const auto& c : g.columns)
      if (c.meta_data && c.meta_data->path == std::vector<std::string>{column})
        out.insert(c.meta_data->encodings.begin(), c.meta_data->encodings.end());
  return out;
}

TEST(TypedColumn, TheSampleHoldsDictionaryAndPlainPages) {
  // Guards the tests above: `note` starts with a dictionary and overflows to PLAIN.
  const std::string file = sample(Codec::kUncompressed);
  EXPECT_TRUE(encodings_of(file, "note").count(meta::kPlain));
  EXPECT_TRUE(encodings_of(file, "note").count(meta::kRleDictionary));
  EXPECT_TRUE(encodings_of(file, "sym").count(meta::kRleDictionary));
}

TEST(TypedColumn, NestedOrUnknownColumnsAreNotRead) {
  FileReader reader(sample(Codec::kUncompressed));
  EXPECT_FALSE(reader.read_typed_column(0, "l"));
  EXPECT_FALSE(reader.read_typed_column(0, "no_such_column"));
}

}  // namespace
}  // namespace sluice::lake::parquet
